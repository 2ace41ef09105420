import { BackendBadge } from './BackendBadge';
import { useBackend } from './useBackend';

export function App() {
  const backend = useBackend();
  return (
    <div className="app">
      <header className="topbar">
        <h1>BERT Playground</h1>
        <BackendBadge state={backend} />
      </header>
      <main>
        <p>
          Type a sentence and watch BERT read it: its WordPiece tokens, its guesses for masked words, and where every
          attention head looks.
        </p>
      </main>
    </div>
  );
}
