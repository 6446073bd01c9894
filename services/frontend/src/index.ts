/** The Frontend service's public surface: its app, for tests that serve the built web app in process. */
export { createFrontendApp, type FrontendOptions } from './app.ts';
