/** The signed-in user, for every page (which buttons to show; the server checks again anyway). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api';

export const SessionContext = createContext<Me | undefined>(undefined);

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('no session');
  return me;
}
