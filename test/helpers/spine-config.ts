/** The configuration of the spine scenario: people of a SQL business system → HubSpot contacts. */
export function spineConfig(o: {
  businessUrl: string;
  hubspotUrl: string;
  mode?: 'incremental' | 'full';
  requestsPer10s?: number;
  /** The task's schedule as YAML (default every 15 minutes). */
  schedule?: string;
}) {
  return `
connections:
  - id: erp
    name: Business system
    system: sql
    config: { url: "${o.businessUrl}", pageSize: 250 }
  - id: hubspot
    name: HubSpot portal
    system: hubspot
    config: { baseUrl: "${o.hubspotUrl}", requestsPer10s: ${o.requestsPer10s ?? 100} }
    secret: { accessToken: "\${TEST_HUBSPOT_TOKEN}" }
mappings:
  - id: people-to-contacts
    name: People → HubSpot contacts
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: hubspot, object: contacts }
    matchKey: { target: email }
    filter: "status = 'active' and canton in ('ZH', 'BE', 'LU', 'BS', 'SG', 'TI')"
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: firstname, from: first_name, transform: [{ type: trim }] }
      - { target: lastname, from: last_name, transform: [{ type: upper }] }
      - { target: state, from: canton, transform: [{ type: valueMap, map: { ZH: Zürich, BE: Bern, LU: Luzern, BS: Basel-Stadt, SG: St. Gallen, TI: Ticino } }] }
      - { target: lifecyclestage, value: lead }
    writeBack: { externalId: hubspot_id, lastSync: sync_last, lastSuccess: sync_last_success, status: sync_status, remark: sync_remark }
tasks:
  - id: people-sync
    name: People to HubSpot
    mapping: people-to-contacts
    schedule: ${o.schedule ?? '{ everyMinutes: 15 }'}
    mode: ${o.mode ?? 'incremental'}
`;
}

export const SYNCED_CANTONS = new Set(['ZH', 'BE', 'LU', 'BS', 'SG', 'TI']);
