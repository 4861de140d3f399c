// The console's entry: language, session (sign in), then the shell with its routes.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Shell } from './shell';
import { LanguageProvider } from './i18n';
import { SessionGate } from './session';
import { SignInPage } from './pages/sign-in';
import './styles.css';

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <LanguageProvider>
      <SessionGate signIn={(props) => <SignInPage {...props} />}>
        <Shell />
      </SessionGate>
    </LanguageProvider>
  </StrictMode>,
);
