/** Alarms: the alarms that are on now, and the definitions that raise them. */
import type { Api } from '../api.ts';
import { AlarmDefinitionsPanel } from './alarm-definitions-panel.tsx';
import { CurrentAlarmsPanel } from './current-alarms-panel.tsx';

export function AlarmsPage(props: { api: Api; mayManage: boolean }) {
  return (
    <>
      <CurrentAlarmsPanel api={props.api} mayManage={props.mayManage} />
      <AlarmDefinitionsPanel api={props.api} mayManage={props.mayManage} />
    </>
  );
}
