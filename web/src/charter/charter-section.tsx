import { Navigate, Route, Routes } from 'react-router';
import './charter.css';
import { CharterCheckPage } from '../pages/charter-check-page.tsx';
import { CharterEditorPage } from '../pages/charter-editor-page.tsx';
import { CharterOneVoicePage } from '../pages/charter-one-voice-page.tsx';
import { CharterOverridesPage } from '../pages/charter-overrides-page.tsx';
import { CharterTemplatePage } from '../pages/charter-template-page.tsx';
import { CharterTemplatesPage } from '../pages/charter-templates-page.tsx';
import { CharterVersionsPage } from '../pages/charter-versions-page.tsx';
import { NotFoundPage } from '../pages/not-found-page.tsx';

/**
 * The relationship charter section, /w/:workspace/charter/…: the charter editor and its
 * versions, the live checker, the templates by department, the one-voice report and the
 * audit log of templates published over their errors. One
 * chunk, loaded on first visit (app.tsx imports it lazily).
 */
export default function CharterSection() {
  return (
    <Routes>
      <Route index element={<Navigate to="editor" replace />} />
      <Route path="editor" element={<CharterEditorPage />} />
      <Route path="versions" element={<CharterVersionsPage />} />
      <Route path="check" element={<CharterCheckPage />} />
      <Route path="templates" element={<CharterTemplatesPage />} />
      <Route path="templates/new" element={<CharterTemplatePage />} />
      <Route path="templates/:templateId" element={<CharterTemplatePage />} />
      <Route path="one-voice" element={<CharterOneVoicePage />} />
      <Route path="overrides" element={<CharterOverridesPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
