import type { Component } from 'svelte';
import type { Role } from './lib/api.ts';
import AuthorScreen from './screens/AuthorScreen.svelte';
import CommentScreen from './screens/CommentScreen.svelte';
import CommentsScreen from './screens/CommentsScreen.svelte';
import EscalationsScreen from './screens/EscalationsScreen.svelte';
import HiddenByRuleScreen from './screens/HiddenByRuleScreen.svelte';
import IntegrationsScreen from './screens/IntegrationsScreen.svelte';
import ImportScreen from './screens/ImportScreen.svelte';
import ModelScreen from './screens/ModelScreen.svelte';
import QueueScreen from './screens/QueueScreen.svelte';
import ReportsScreen from './screens/ReportsScreen.svelte';
import SamplesScreen from './screens/SamplesScreen.svelte';
import ThreadScreen from './screens/ThreadScreen.svelte';
import ThresholdsScreen from './screens/ThresholdsScreen.svelte';
import UsersScreen from './screens/UsersScreen.svelte';

/** What every screen receives: the `:name` parts of its path and the query after `?`. */
export interface ScreenProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Route {
  /** Hash path, `:name` for a parameter: `/thread/:id` matches `#/thread/12?comment=3`. */
  path: string;
  /**
   * The router renders every screen with ScreenProps. A screen that reads some
   * of them declares those (`Component<ScreenProps>` admits any subset); one
   * that reads none needs no props (`Component`), and Svelte ignores the rest.
   */
  component: Component<ScreenProps> | Component;
  /** Text of the header link; screens without one are reached from other screens. */
  nav?: string;
  /** Lowest role that sees the link and the screen (moderator < lead < admin). */
  role?: Role;
}

/**
 * The screens, one line each, in header order. To add one, import it above
 * and add a line here; the header and the router follow this table.
 */
export const routes: Route[] = [
  { path: '/queue', component: QueueScreen, nav: 'Queue' },
  { path: '/escalations', component: EscalationsScreen, nav: 'Escalations', role: 'lead' },
  { path: '/hidden-by-rule', component: HiddenByRuleScreen, nav: 'Hidden by rule' },
  { path: '/comments', component: CommentsScreen, nav: 'All comments' },
  { path: '/samples', component: SamplesScreen, nav: 'Samples' },
  { path: '/thread/:id', component: ThreadScreen },
  { path: '/comment/:id', component: CommentScreen },
  { path: '/authors', component: AuthorScreen },
  { path: '/import', component: ImportScreen, nav: 'Import' },
  { path: '/thresholds', component: ThresholdsScreen, nav: 'Thresholds', role: 'lead' },
  { path: '/model', component: ModelScreen, nav: 'Model', role: 'lead' },
  { path: '/reports', component: ReportsScreen, nav: 'Reports', role: 'lead' },
  { path: '/users', component: UsersScreen, nav: 'Users', role: 'admin' },
  { path: '/integrations', component: IntegrationsScreen, nav: 'Integrations', role: 'admin' },
];
