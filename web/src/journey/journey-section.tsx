import { Route, Routes } from 'react-router';
import './journey.css';
import { JourneyCoveragePage } from '../pages/journey-coverage-page.tsx';
import { JourneyPage } from '../pages/journey-page.tsx';
import { JourneyTechnologyPage } from '../pages/journey-technology-page.tsx';
import { NotFoundPage } from '../pages/not-found-page.tsx';

/**
 * The journey map section, /w/:workspace/journey/…: the one-page diagram (with its cell panel,
 * exports and workshop mode), coverage (漏れなく) and the technology map. One chunk, loaded on
 * first visit (app.tsx imports it lazily).
 */
export default function JourneySection() {
  return (
    <Routes>
      <Route index element={<JourneyPage />} />
      <Route path="coverage" element={<JourneyCoveragePage />} />
      <Route path="technology" element={<JourneyTechnologyPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
