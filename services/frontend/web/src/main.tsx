import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { loadConfig } from './config.ts';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
loadConfig().then(
  (config) => root.render(<App config={config} />),
  (err: unknown) => root.render(<p className="error">Fleet cannot start: {(err as Error).message}</p>),
);
