/**
 * Word lists of the demo's training provider: Swiss first and last names by language region, real
 * towns with their post codes and cantons, streets, companies and a course catalogue.
 */

/** A town with its post code and canton; `lang` is the main language spoken there. */
export interface Town {
  postcode: string;
  city: string;
  canton: string;
  lang: 'de' | 'fr' | 'it';
}

export const TOWNS: readonly Town[] = [
  { postcode: '8001', city: 'Zürich', canton: 'ZH', lang: 'de' },
  { postcode: '8400', city: 'Winterthur', canton: 'ZH', lang: 'de' },
  { postcode: '8600', city: 'Dübendorf', canton: 'ZH', lang: 'de' },
  { postcode: '3011', city: 'Bern', canton: 'BE', lang: 'de' },
  { postcode: '3600', city: 'Thun', canton: 'BE', lang: 'de' },
  { postcode: '2502', city: 'Biel/Bienne', canton: 'BE', lang: 'de' },
  { postcode: '6003', city: 'Luzern', canton: 'LU', lang: 'de' },
  { postcode: '4051', city: 'Basel', canton: 'BS', lang: 'de' },
  { postcode: '9000', city: 'St. Gallen', canton: 'SG', lang: 'de' },
  { postcode: '5000', city: 'Aarau', canton: 'AG', lang: 'de' },
  { postcode: '6300', city: 'Zug', canton: 'ZG', lang: 'de' },
  { postcode: '7000', city: 'Chur', canton: 'GR', lang: 'de' },
  { postcode: '1003', city: 'Lausanne', canton: 'VD', lang: 'fr' },
  { postcode: '1201', city: 'Genève', canton: 'GE', lang: 'fr' },
  { postcode: '1700', city: 'Fribourg', canton: 'FR', lang: 'fr' },
  { postcode: '2000', city: 'Neuchâtel', canton: 'NE', lang: 'fr' },
  { postcode: '1950', city: 'Sion', canton: 'VS', lang: 'fr' },
  { postcode: '6900', city: 'Lugano', canton: 'TI', lang: 'it' },
  { postcode: '6500', city: 'Bellinzona', canton: 'TI', lang: 'it' },
];

/** Full canton names, as the demo's value maps write them into HubSpot. */
export const CANTON_NAMES: Readonly<Record<string, string>> = {
  ZH: 'Zürich',
  BE: 'Bern',
  LU: 'Luzern',
  BS: 'Basel-Stadt',
  SG: 'St. Gallen',
  AG: 'Aargau',
  ZG: 'Zug',
  GR: 'Graubünden',
  VD: 'Vaud',
  GE: 'Genève',
  FR: 'Fribourg',
  NE: 'Neuchâtel',
  VS: 'Valais',
  TI: 'Ticino',
};

export const FIRST_NAMES: Readonly<Record<Town['lang'], { f: readonly string[]; m: readonly string[] }>> = {
  de: {
    f: [
      'Anna',
      'Lea',
      'Mia',
      'Laura',
      'Sarah',
      'Nina',
      'Julia',
      'Céline',
      'Michelle',
      'Sandra',
      'Ursula',
      'Brigitte',
      'Regula',
      'Corinne',
    ],
    m: [
      'Luca',
      'Noah',
      'Jonas',
      'Reto',
      'Urs',
      'Beat',
      'Thomas',
      'Daniel',
      'Marco',
      'Stefan',
      'Lukas',
      'Simon',
      'Andreas',
      'Matthias',
    ],
  },
  fr: {
    f: ['Camille', 'Chloé', 'Léa', 'Manon', 'Sophie', 'Nathalie', 'Isabelle', 'Valérie'],
    m: ['Julien', 'Nicolas', 'Mathieu', 'Olivier', 'Yves', 'Pascal', 'Lucien', 'Thierry'],
  },
  it: {
    f: ['Giulia', 'Chiara', 'Francesca', 'Elena', 'Martina', 'Paola'],
    m: ['Marco', 'Alessandro', 'Matteo', 'Davide', 'Lorenzo', 'Fabio'],
  },
};

export const LAST_NAMES: Readonly<Record<Town['lang'], readonly string[]>> = {
  de: [
    'Müller',
    'Meier',
    'Schmid',
    'Keller',
    'Weber',
    'Huber',
    'Schneider',
    'Steiner',
    'Fischer',
    'Brunner',
    'Baumann',
    'Gerber',
    'Frei',
    'Zürcher',
    'Moser',
    'Graf',
    'Wyss',
    'Bühler',
    'Lüthi',
    'Zimmermann',
  ],
  fr: ['Favre', 'Rochat', 'Dubois', 'Bonvin', 'Perrin', 'Rey', 'Morel', 'Girard', 'Chappuis', 'Mottier'],
  it: ['Bernasconi', 'Rossi', 'Ferrari', 'Colombo', 'Bianchi', 'Pedrazzini', 'Galli', 'Fontana'],
};

export const STREETS: Readonly<Record<Town['lang'], readonly string[]>> = {
  de: [
    'Bahnhofstrasse',
    'Hauptstrasse',
    'Dorfstrasse',
    'Seestrasse',
    'Kirchweg',
    'Gartenstrasse',
    'Schulhausstrasse',
    'Industriestrasse',
  ],
  fr: ['Rue du Lac', 'Avenue de la Gare', 'Rue du Marché', 'Chemin des Vignes', 'Route de Berne'],
  it: ['Via San Gottardo', 'Via Nassa', 'Corso Elvezia', 'Via Cantonale'],
};

/** Mail providers Swiss private addresses use. */
export const MAIL_DOMAINS: readonly string[] = [
  'bluewin.ch',
  'gmx.ch',
  'sunrise.ch',
  'hispeed.ch',
  'gmail.com',
  'outlook.com',
];

/** Employers of course participants: name, web domain, industry code (the value map turns it into a label), staff. */
export const COMPANIES: readonly { name: string; domain: string; industry: string; employees: string }[] = [
  { name: 'Alpenblick Treuhand AG', domain: 'alpenblick-treuhand.ch', industry: 'FIN', employees: '24' },
  { name: 'Gerber Holzbau GmbH', domain: 'gerber-holzbau.ch', industry: 'CON', employees: '38' },
  { name: 'Seeland Spitex', domain: 'spitex-seeland.ch', industry: 'HEA', employees: '112' },
  { name: 'Bäckerei Frei & Söhne', domain: 'frei-beck.ch', industry: 'FOO', employees: '17' },
  { name: 'Helvetia Logistik AG', domain: 'helvetia-logistik.ch', industry: 'LOG', employees: "1'240" },
  { name: 'Rochat Informatique SA', domain: 'rochat-info.ch', industry: 'ICT', employees: '45' },
  { name: 'Clinica Sant’Anna SA', domain: 'clinica-santanna.ch', industry: 'HEA', employees: '310' },
  {
    name: 'Zürcher Kantonalbank Filiale Oerlikon',
    domain: 'zkb-oerlikon.example.ch',
    industry: 'FIN',
    employees: '60',
  },
  { name: 'Bühler Elektro AG', domain: 'buehler-elektro.ch', industry: 'CON', employees: '85' },
  { name: 'Gemeinde Dübendorf', domain: 'duebendorf.example.ch', industry: 'PUB', employees: '420' },
  { name: 'Moser Druck GmbH', domain: 'moser-druck.ch', industry: 'MAN', employees: '29' },
  { name: 'Vinothek Bonvin Sàrl', domain: 'bonvin-vins.ch', industry: 'FOO', employees: '9' },
];

/** Industry codes of the business system and the labels HubSpot shows. */
export const INDUSTRIES: Readonly<Record<string, string>> = {
  FIN: 'Finance & Trust',
  CON: 'Construction',
  HEA: 'Health care',
  FOO: 'Food & Beverage',
  LOG: 'Logistics',
  ICT: 'Information technology',
  PUB: 'Public administration',
  MAN: 'Manufacturing',
};

/** The course catalogue: code, title, category, price in CHF, days. */
export const COURSES: readonly {
  code: string;
  title: string;
  category: string;
  price: number;
  days: number;
}[] = [
  { code: 'EXC-101', title: 'Excel für Einsteiger', category: 'Office', price: 690, days: 2 },
  {
    code: 'EXC-201',
    title: 'Excel: Pivot-Tabellen und Power Query',
    category: 'Office',
    price: 890,
    days: 2,
  },
  {
    code: 'LEA-110',
    title: 'Führen ohne Vorgesetztenfunktion',
    category: 'Leadership',
    price: 1250,
    days: 3,
  },
  {
    code: 'LEA-210',
    title: 'Konfliktgespräche souverän führen',
    category: 'Leadership',
    price: 980,
    days: 2,
  },
  {
    code: 'PRJ-120',
    title: 'Projektmanagement Grundlagen (IPMA)',
    category: 'Project',
    price: 1490,
    days: 3,
  },
  { code: 'FIN-130', title: 'Buchhaltung mit Abacus', category: 'Finance', price: 1150, days: 2 },
  { code: 'FIN-140', title: 'MWST-Update 2025', category: 'Finance', price: 420, days: 1 },
  { code: 'COM-150', title: 'Communication écrite efficace', category: 'Communication', price: 760, days: 2 },
  { code: 'SAF-160', title: 'Arbeitssicherheit auf der Baustelle', category: 'Safety', price: 540, days: 1 },
  { code: 'DIG-170', title: 'KI im Büroalltag', category: 'Digital', price: 650, days: 1 },
];
