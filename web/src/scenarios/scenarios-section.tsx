import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../pages/not-found-page.tsx';
import { ScenarioListPage } from './scenario-list-page.tsx';
import { ScenarioPage } from './scenario-page.tsx';
import './scenarios.css';

/**
 * The scenarios section, /w/:workspace/scenarios/…: the list, and one scenario (or a new one at
 * scenarios/new) with its flow editor, dry run, send log and versions. One chunk (React Flow
 * with it), loaded on first visit (app.tsx imports it lazily).
 */
export default function ScenariosSection() {
  return (
    <Routes>
      <Route index element={<ScenarioListPage />} />
      <Route path=":scenario" element={<ScenarioPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
