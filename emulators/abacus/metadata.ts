/** A minimal CSDL `$metadata` document generated from the emulator's entity definitions. */
import { ENTITIES, type PropDef } from './entities.ts';

function propXml(name: string, p: PropDef): string {
  const type =
    p.type === 'complex'
      ? `ch.abacus.adre.${name}`
      : p.type === 'enum'
        ? 'Edm.String'
        : {
            int: 'Edm.Int64',
            string: 'Edm.String',
            guid: 'Edm.Guid',
            date: 'Edm.Date',
            datetime: 'Edm.DateTimeOffset',
            boolean: 'Edm.Boolean',
          }[p.type];
  const len = p.maxLength ? ` MaxLength="${p.maxLength}"` : '';
  return `<Property Name="${name}" Type="${type}" Nullable="${p.nullable ? 'true' : 'false'}"${len}/>`;
}

/** The `$metadata` answer: entity types, the complex types they use, and the container. */
export function metadataXml(): string {
  const types: string[] = [];
  const complex = new Map<string, PropDef>();
  for (const def of Object.values(ENTITIES)) {
    const props = Object.entries(def.props).map(([n, p]) => {
      if (p.type === 'complex') complex.set(n, p);
      return propXml(n, p);
    });
    const navs = Object.entries(def.navigation).map(
      ([n, set]) =>
        `<NavigationProperty Name="${n}" Type="Collection(${set ? ENTITIES[set].typeName : ''})"/>`,
    );
    types.push(
      `<EntityType Name="${def.typeName.split('.').pop()}"><Key><PropertyRef Name="Id"/></Key>${props.join('')}${navs.join('')}</EntityType>`,
    );
  }
  for (const [n, p] of complex)
    types.push(
      `<ComplexType Name="${n}">${Object.entries(p.props ?? {})
        .map(([k, sub]) => propXml(k, sub))
        .join('')}</ComplexType>`,
    );
  const sets = Object.values(ENTITIES).map((d) => `<EntitySet Name="${d.set}" EntityType="${d.typeName}"/>`);
  return `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="ch.abacus.adre">${types.join('')}<EntityContainer Name="container">${sets.join('')}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}
