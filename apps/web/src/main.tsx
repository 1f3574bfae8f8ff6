import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { I18nextProvider } from 'react-i18next';
import { i18n } from './i18n';
import { createQueryClient } from './queries';
import { createAppRouter } from './router';
import './styles.css';

// The page's own language, direction and title follow the app's words (index.html has the English ones for the first paint).
document.documentElement.lang = i18n.language;
document.documentElement.dir = i18n.dir();
document.title = i18n.t('app.name');

const queryClient = createQueryClient();
const router = createAppRouter();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </I18nextProvider>
  </StrictMode>,
);
