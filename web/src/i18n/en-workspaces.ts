/** English texts of workspaces, workspace roles and task intervals (merged into the dictionary in index.tsx). */
export const enWorkspaces = {
  'nav.workspaces': 'Workspaces',
  'ws.label': 'Workspace',
  'ws.noneYet':
    'You are not a member of any workspace yet, so there is nothing to show. An instance administrator adds you to one.',
  'ws.title': 'Workspaces',
  'ws.intro':
    "A workspace holds one customer's or department's connections, mappings and tasks. Its members see and change only these, as their role allows.",
  'ws.none': 'No workspaces.',
  'ws.new': 'New workspace',
  'ws.edit': 'Change workspace',
  'ws.idHint': 'Lower-case letters, digits, - and _; cannot be changed later.',
  'ws.saved': 'Workspace {name} saved.',
  'ws.deleted': 'Workspace {name} deleted.',
  'ws.interval': 'Interval',
  'ws.range': '{min}–{max} min',
  'ws.minInterval': 'Shortest interval (minutes)',
  'ws.maxInterval': 'Longest interval (minutes)',
  'ws.intervalHint': 'Operators choose a task’s interval within this range.',
  'ws.maxRuns': 'Runs at once',
  'ws.maxRunsHint': 'Empty: no limit.',
  'ws.unlimited': 'no limit',
  'ws.rateShare': 'Share of a rate limit (%)',
  'ws.rateShareHint':
    'When tasks of several workspaces use the same account of a system, this workspace gets this percentage of its rate limit when it needs it, and no more while others wait; alone, all of it. Empty: no share of its own (it shares the rest).',
  'ws.noShare': 'none of its own',
  'ws.members': 'Members',
  'ws.membersOf': 'Members of {name}',
  'ws.noMembers': 'No members yet: instance administrators see every workspace anyway.',
  'ws.addMember': 'Add member',
  'ws.user': 'User',
  'ws.chooseUser': 'Choose a user…',
  'ws.allMembers': 'Every user is a member already.',
  'ws.remove': 'Remove',
  'ws.confirmRemove': 'Remove {name} from workspace {workspace}?',
  'ws.roleOf': 'Role of {name}',
  'ws.rolesLegend':
    'Administrator: configures connections, mappings, tasks and imports. Operator: runs tasks, retries failures, resolves errors, sets a task’s interval. Viewer: reads.',
  'ws.role.admin': 'Administrator',
  'ws.role.operator': 'Operator',
  'ws.role.viewer': 'Viewer (read-only)',
  'users.role.instanceAdmin': 'Instance administrator',
  'users.role.none': 'No instance rights',
  'users.instanceRole': 'Instance role',
  'users.workspaceRole': 'Role in the workspace',
  'users.instanceRoleHint':
    'Instance administrators manage workspaces, users and settings and are admin in every workspace. Everyone else gets their rights per workspace, on the Workspaces page.',
  'task.interval': 'Interval',
  'task.intervalOf': 'Interval of {name} in minutes',
  'task.intervalRange': '{min}–{max} min',
  'task.intervalSaved': '{name} now runs every {n} min.',
  'acc.tokenWorkspace': 'Workspace',
  'error.interval_out_of_range': 'Choose an interval between {min} and {max} minutes.',
  'error.workspace_not_empty':
    'The workspace still has {connections} connection(s), {mappings} mapping(s) and {tasks} task(s): delete them first.',
  'error.id_taken': 'This id is taken already (ids are unique in the whole hub): choose another.',
  // The server's message names the hub's folders and JUNCTION_FILES_DIR: nothing a workspace's people can act on.
  'error.file_not_allowed':
    "'{path}' is outside this workspace's files folder: give a path inside it (no ../, no absolute path) or upload the file.",
  'error.file_not_found': "The file '{path}' does not exist (yet) in this workspace's files folder.",
  'error.workspace_busy':
    'The workspace runs as many tasks at once as it may; try again when one has finished.',
};
