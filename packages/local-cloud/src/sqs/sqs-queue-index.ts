/**
 * In-memory index of one queue: which messages are visible, in flight or delayed, and when each
 * in-flight or delayed message becomes visible. Bodies stay on disk (sqs-store.ts); an entry here
 * is ~100 bytes, so a million waiting messages cost ~100 MB at most.
 *
 * Entries in the visible deque and the timer heap carry the message's generation at the time they
 * were queued; a message changes generation on each state change, so stale entries are skipped
 * instead of searched for and removed.
 */

export type MessageState = 'visible' | 'inflight' | 'delayed' | 'gone';

export interface MessageRef {
  readonly seq: number;
  readonly id: string;
  readonly sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp: number | undefined;
  state: MessageState;
  generation: number;
  /** Epoch ms when an in-flight or delayed message becomes visible. */
  visibleAt: number;
}

interface Slot {
  readonly ref: MessageRef;
  readonly generation: number;
}

interface Timer extends Slot {
  readonly at: number;
}

export interface QueueIndex {
  readonly counts: Readonly<Record<'visible' | 'inflight' | 'delayed', number>>;
  get(seq: number): MessageRef | undefined;
  /** Adds a message, visible now or delayed until `visibleAt`. */
  add(ref: MessageRef): void;
  /** Takes up to `max` visible messages, oldest first. */
  takeVisible(max: number): MessageRef[];
  /** Hides a message until `until` (epoch ms); the caller counts receives. */
  hide(ref: MessageRef, until: number): void;
  makeVisible(ref: MessageRef): void;
  remove(ref: MessageRef): void;
  /** Messages whose visibility timeout or delay ended by `now`; they are NOT yet made visible. */
  due(now: number): MessageRef[];
  all(): IterableIterator<MessageRef>;
  clear(): void;
}

export function createQueueIndex(): QueueIndex {
  const refs = new Map<number, MessageRef>();
  let visible: Slot[] = [];
  let head = 0;
  const timers = createMinHeap<Timer>((a, b) => a.at - b.at);
  const counts = { visible: 0, inflight: 0, delayed: 0 };

  function setState(ref: MessageRef, state: MessageState): void {
    if (ref.state !== 'gone') counts[ref.state] -= 1;
    ref.state = state;
    ref.generation += 1;
    if (state !== 'gone') counts[state] += 1;
  }

  function pushVisible(ref: MessageRef): void {
    setState(ref, 'visible');
    visible.push({ ref, generation: ref.generation });
  }

  return {
    counts,
    get: (seq) => refs.get(seq),
    add(ref) {
      refs.set(ref.seq, ref);
      const state = ref.state;
      ref.state = 'gone';
      if (state === 'delayed' || ref.visibleAt > Date.now()) {
        setState(ref, 'delayed');
        timers.push({ ref, generation: ref.generation, at: ref.visibleAt });
      } else {
        pushVisible(ref);
      }
    },
    takeVisible(max) {
      const taken: MessageRef[] = [];
      while (taken.length < max && head < visible.length) {
        const slot = visible[head]!;
        head += 1;
        if (slot.ref.generation === slot.generation && slot.ref.state === 'visible') taken.push(slot.ref);
      }
      // Compact the consumed front once it dominates the array.
      if (head > 1024 && head * 2 > visible.length) {
        visible = visible.slice(head);
        head = 0;
      }
      return taken;
    },
    hide(ref, until) {
      setState(ref, 'inflight');
      ref.visibleAt = until;
      timers.push({ ref, generation: ref.generation, at: until });
    },
    makeVisible: pushVisible,
    remove(ref) {
      if (ref.state === 'gone') return;
      setState(ref, 'gone');
      refs.delete(ref.seq);
    },
    due(now) {
      const result: MessageRef[] = [];
      for (let top = timers.peek(); top && top.at <= now; top = timers.peek()) {
        timers.pop();
        if (top.ref.generation === top.generation && top.ref.state !== 'gone') result.push(top.ref);
      }
      return result;
    },
    all: () => refs.values(),
    clear() {
      for (const ref of refs.values()) setState(ref, 'gone');
      refs.clear();
      visible = [];
      head = 0;
      timers.clear();
    },
  };
}

interface MinHeap<T> {
  push(item: T): void;
  pop(): T | undefined;
  peek(): T | undefined;
  clear(): void;
}

function createMinHeap<T>(compare: (a: T, b: T) => number): MinHeap<T> {
  let items: T[] = [];
  const swap = (i: number, j: number) => {
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  };
  return {
    push(item) {
      items.push(item);
      let i = items.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (compare(items[i]!, items[parent]!) >= 0) break;
        swap(i, parent);
        i = parent;
      }
    },
    pop() {
      if (items.length === 0) return undefined;
      const top = items[0];
      const last = items.pop()!;
      if (items.length > 0) {
        items[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let smallest = i;
          if (l < items.length && compare(items[l]!, items[smallest]!) < 0) smallest = l;
          if (r < items.length && compare(items[r]!, items[smallest]!) < 0) smallest = r;
          if (smallest === i) break;
          swap(i, smallest);
          i = smallest;
        }
      }
      return top;
    },
    peek: () => items[0],
    clear() {
      items = [];
    },
  };
}
