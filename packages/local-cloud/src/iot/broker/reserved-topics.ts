/**
 * Which reserved topics (`$...`) a client may publish to: the requests of AWS IoT's device APIs,
 * `$aws/things/<thing>/jobs/...` (Jobs) and `$aws/things/<thing>/shadow/...` (Device Shadow)
 * (https://docs.aws.amazon.com/iot/latest/developerguide/reserved-topics.html). Every other
 * reserved topic (`$aws/events/...`, `$SYS/...`, ...) is refused to clients here. An
 * allowed topic still needs `iot:Publish` in the principal's policies.
 */
const deviceApiTopic = /^\$aws\/things\/[a-zA-Z0-9:_-]{1,128}\/(jobs|shadow)(\/|$)/;

export const clientMayPublishReserved = (topic: string): boolean => deviceApiTopic.test(topic);
