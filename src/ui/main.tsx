import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { exposeConsoleApi } from './consoleApi';
import { LanguageProvider } from './i18n';
import { registerServiceWorker } from './models';
import './styles.css';

exposeConsoleApi();
void registerServiceWorker(); // offline support; production builds on secure contexts only

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <LanguageProvider>
      <App />
    </LanguageProvider>
  </StrictMode>,
);
