import { useEffect, useState } from 'react';
import { connApi } from './conn-api.js';

export interface Choice {
  id: number;
  name: string;
}

interface Choices {
  rateGroups: Choice[];
  localizations: Choice[];
}

async function load(): Promise<Choices> {
  const [groups, locs] = await Promise.all([
    connApi.rateGroups({ limit: 500 }),
    connApi.localizations({ limit: 500 }),
  ]);
  return {
    rateGroups: groups.data.map((g) => ({ id: g.id, name: `${g.name} (${g.currency})` })),
    localizations: locs.data.map((l) => ({ id: l.id, name: l.name })),
  };
}

/**
 * The rate groups and localization profiles the account form offers (the first 500 of each, by
 * name; the actor's own scope, since the API filters them).
 */
export function useConnectivityChoices(): Choices {
  const [choices, setChoices] = useState<Choices>({ rateGroups: [], localizations: [] });
  useEffect(() => {
    let live = true;
    // Loaded each time a form opens, so a group added a moment ago is offered.
    load()
      .then((c) => live && setChoices(c))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return choices;
}
