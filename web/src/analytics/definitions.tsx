import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';

export type DefinitionTopic = Exclude<keyof Messages['analytics']['definitions'], 'title'>;

/**
 * The definitions a page's figures follow (issue 3's, word for word in both languages), in a
 * 定義 disclosure beside the page title: the answer to "what exactly is counted here?".
 */
export function Definitions({ topics }: { topics: readonly DefinitionTopic[] }) {
  const { t } = useI18n();
  const d = t.analytics.definitions;
  return (
    <details className="definitions">
      <summary>ⓘ {d.title}</summary>
      <dl>
        {topics.map((topic) => (
          <div key={topic} className="definitions-entry">
            <dt>{d[topic].term}</dt>
            <dd>{d[topic].text}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
