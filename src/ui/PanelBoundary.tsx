import { Component, type ReactNode } from 'react';

/**
 * Keeps one panel's failure inside that panel: the rest of the playground stays
 * usable, and the message says what broke (React needs a class for this).
 */
export class PanelBoundary extends Component<{ children: ReactNode; resetKey?: unknown }, { error: Error | null; key?: unknown }> {
  override state: { error: Error | null; key?: unknown } = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: { resetKey?: unknown }, state: { error: Error | null; key?: unknown }) {
    // New input (a new result or model) gives the panel another chance.
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override render() {
    if (this.state.error !== null) {
      return (
        <p className="notice notice-error" role="alert">
          This panel stopped: {this.state.error.message}
        </p>
      );
    }
    return this.props.children;
  }
}
