/** Four tasks on one HubSpot connection, each syncing the people of two cantons (disjoint sets of contacts). */
export const FLEET_TASKS = [
  { id: 'sync-zh-be', cantons: ['ZH', 'BE'] },
  { id: 'sync-lu-bs', cantons: ['LU', 'BS'] },
  { id: 'sync-sg-ti', cantons: ['SG', 'TI'] },
  { id: 'sync-vd-ge', cantons: ['VD', 'GE'] },
] as const;

/** The configuration of the fleet scenario, as `junction apply` reads it. */
export function fleetConfig(o: {
  businessUrl: string;
  hubspotUrl: string;
  requestsPer10s: number;
  pageSize: number;
}) {
  const mappings = FLEET_TASKS.map(
    (t) => `
  - id: ${t.id}
    name: People of ${t.cantons.join('+')}
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: hubspot, object: contacts }
    matchKey: { target: email }
    filter: "status = 'active' and canton in (${t.cantons.map((c) => `'${c}'`).join(', ')})"
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: firstname, from: first_name }
    writeBack: { externalId: hubspot_id, status: sync_status }`,
  ).join('');
  const tasks = FLEET_TASKS.map(
    (t) => `\n  - { id: ${t.id}, name: "Sync ${t.cantons.join('+')}", mapping: ${t.id} }`,
  ).join('');
  return `
connections:
  - { id: erp, system: sql, config: { url: "${o.businessUrl}", pageSize: ${o.pageSize} } }
  - id: hubspot
    system: hubspot
    config: { baseUrl: "${o.hubspotUrl}", requestsPer10s: ${o.requestsPer10s} }
    secret: { accessToken: "\${TEST_HUBSPOT_TOKEN}" }
mappings:${mappings}
tasks:${tasks}
`;
}
