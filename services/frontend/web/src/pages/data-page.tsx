/**
 * Data (operators and admins): how long the data is kept and what it weighs and costs, and the
 * jobs that move it — exports, historical imports and (admins) archive replays.
 */
import { useCallback } from 'react';
import type { Api } from '../api.ts';
import { usePolled } from '../polling.ts';
import { DataJobList, jobsUnderWay } from './data-jobs-panel.tsx';
import { ExportForm, ReplayForm } from './data-job-forms.tsx';
import { DataUsagePanel } from './data-usage-panel.tsx';
import { ImportForm } from './import-form.tsx';
import { RetentionPanel } from './retention-panel.tsx';

export interface DataPermissions {
  readonly manageRetention: boolean;
  readonly exportData: boolean;
  readonly importData: boolean;
  readonly replayArchive: boolean;
}

export function DataPage(props: { api: Api; may: DataPermissions }) {
  const { api, may } = props;
  const load = useCallback(() => api.dataJobs(), [api]);
  const jobs = usePolled(load, jobsUnderWay);
  const created = () => void jobs.refresh();
  return (
    <>
      <RetentionPanel api={api} mayEdit={may.manageRetention} />
      <DataUsagePanel api={api} />
      <DataJobList api={api} page={jobs.value} error={jobs.error} />
      {may.exportData && <ExportForm api={api} onCreated={created} />}
      {may.importData && <ImportForm api={api} onCreated={created} />}
      {may.replayArchive && <ReplayForm api={api} onCreated={created} />}
    </>
  );
}
