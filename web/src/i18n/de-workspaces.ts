import type { enWorkspaces } from './en-workspaces.ts';

/** German texts of workspaces, workspace roles and task intervals (Swiss usage: "ss", not "ß"). */
export const deWorkspaces: Record<keyof typeof enWorkspaces, string> = {
  'nav.workspaces': 'Arbeitsbereiche',
  'ws.label': 'Arbeitsbereich',
  'ws.noneYet':
    'Sie sind noch in keinem Arbeitsbereich Mitglied, darum gibt es nichts anzuzeigen. Ein Instanz-Administrator nimmt Sie in einen auf.',
  'ws.title': 'Arbeitsbereiche',
  'ws.intro':
    'Ein Arbeitsbereich enthält die Verbindungen, Zuordnungen und Aufgaben eines Kunden oder einer Abteilung. Seine Mitglieder sehen und ändern nur diese, soweit ihre Rolle es erlaubt.',
  'ws.none': 'Keine Arbeitsbereiche.',
  'ws.new': 'Neuer Arbeitsbereich',
  'ws.edit': 'Arbeitsbereich ändern',
  'ws.idHint': 'Kleinbuchstaben, Ziffern, - und _; später nicht änderbar.',
  'ws.saved': 'Arbeitsbereich {name} gespeichert.',
  'ws.deleted': 'Arbeitsbereich {name} gelöscht.',
  'ws.interval': 'Intervall',
  'ws.range': '{min}–{max} Min.',
  'ws.minInterval': 'Kürzestes Intervall (Minuten)',
  'ws.maxInterval': 'Längstes Intervall (Minuten)',
  'ws.intervalHint': 'Operatoren wählen das Intervall einer Aufgabe in diesem Bereich.',
  'ws.maxRuns': 'Gleichzeitige Läufe',
  'ws.maxRunsHint': 'Leer: keine Grenze.',
  'ws.unlimited': 'keine Grenze',
  'ws.rateShare': 'Anteil am Rate-Limit (%)',
  'ws.rateShareHint':
    'Nutzen Aufgaben mehrerer Arbeitsbereiche dasselbe Konto eines Systems, bekommt dieser Bereich so viel Prozent seines Rate-Limits, wenn er es braucht, und nicht mehr, solange andere warten; allein das ganze. Leer: kein eigener Anteil (teilt sich den Rest).',
  'ws.noShare': 'kein eigener',
  'ws.members': 'Mitglieder',
  'ws.membersOf': 'Mitglieder von {name}',
  'ws.noMembers': 'Noch keine Mitglieder: Instanz-Administratoren sehen ohnehin jeden Arbeitsbereich.',
  'ws.addMember': 'Mitglied hinzufügen',
  'ws.user': 'Benutzer',
  'ws.chooseUser': 'Benutzer wählen…',
  'ws.allMembers': 'Alle Benutzer sind schon Mitglied.',
  'ws.remove': 'Entfernen',
  'ws.confirmRemove': '{name} aus dem Arbeitsbereich {workspace} entfernen?',
  'ws.roleOf': 'Rolle von {name}',
  'ws.rolesLegend':
    'Administrator: richtet Verbindungen, Zuordnungen, Aufgaben und Importe ein. Operator: startet Aufgaben, wiederholt Fehlschläge, erledigt Fehler, setzt das Intervall einer Aufgabe. Betrachter: liest.',
  'ws.role.admin': 'Administrator',
  'ws.role.operator': 'Operator',
  'ws.role.viewer': 'Betrachter (nur lesen)',
  'users.role.instanceAdmin': 'Instanz-Administrator',
  'users.role.none': 'Keine Instanzrechte',
  'users.instanceRole': 'Instanzrolle',
  'users.workspaceRole': 'Rolle im Arbeitsbereich',
  'users.instanceRoleHint':
    'Instanz-Administratoren verwalten Arbeitsbereiche, Benutzer und Einstellungen und sind in jedem Arbeitsbereich Administrator. Alle anderen erhalten ihre Rechte je Arbeitsbereich, auf der Seite Arbeitsbereiche.',
  'task.interval': 'Intervall',
  'task.intervalOf': 'Intervall von {name} in Minuten',
  'task.intervalRange': '{min}–{max} Min.',
  'task.intervalSaved': '{name} läuft jetzt alle {n} Min.',
  'task.changeGap': 'Änderungen höchstens alle … Minuten',
  'task.changeGapShort': 'Änderungen höchstens alle',
  'task.changeGapOf': 'Änderungen von {name} höchstens alle … Minuten',
  'task.changeGapSaved': 'Änderungen von {name} starten jetzt höchstens alle {n} Min. einen Lauf.',
  'acc.tokenWorkspace': 'Arbeitsbereich',
  'error.interval_out_of_range': 'Wählen Sie ein Intervall zwischen {min} und {max} Minuten.',
  'error.workspace_not_empty':
    'Der Arbeitsbereich hat noch {connections} Verbindung(en), {mappings} Zuordnung(en) und {tasks} Aufgabe(n): zuerst diese löschen.',
  'error.id_taken': 'Diese ID ist schon vergeben (IDs gelten im ganzen Hub): bitte eine andere wählen.',
  'error.file_not_allowed':
    '«{path}» liegt ausserhalb des Dateiordners dieses Arbeitsbereichs: geben Sie einen Pfad darin an (ohne ../, nicht absolut) oder laden Sie die Datei hoch.',
  'error.file_not_found': 'Die Datei «{path}» gibt es im Dateiordner dieses Arbeitsbereichs (noch) nicht.',
  'error.workspace_busy':
    'Alle Laufplätze des Arbeitsbereichs sind belegt, durch laufende Aufgaben oder durch wartende (diese kommen zuerst dran); bitte später erneut versuchen.',
};
