/**
 * Long loops (training, the few-shot experiment) hand the event loop a turn now
 * and then, so that a page stays responsive and a stop button is heard.
 */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, 0));
