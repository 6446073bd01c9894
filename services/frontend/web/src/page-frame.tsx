/**
 * Where a lazily loaded page shows: "Loading…" while its chunk arrives, and a message with a
 * reload button when it cannot arrive (the network dropped, or a deploy replaced the chunk the
 * app was built with) instead of a blank screen.
 */
import { Component, Suspense, type ReactNode } from 'react';

interface State {
  readonly failed?: Error;
}

class ChunkErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = {};

  static getDerivedStateFromError(failed: Error): State {
    return { failed };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <section className="card" role="alert">
        <p className="error">This page could not be loaded: {this.state.failed.message}</p>
        <button onClick={() => window.location.reload()}>Reload</button>
      </section>
    );
  }
}

export function PageFrame({ children }: { children: ReactNode }) {
  return (
    <ChunkErrorBoundary>
      <Suspense
        fallback={
          <p className="muted" role="status">
            Loading…
          </p>
        }
      >
        {children}
      </Suspense>
    </ChunkErrorBoundary>
  );
}
