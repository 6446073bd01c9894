/**
 * The `concurrency` aedes hands to its mqemitter. aedes' default (100) turns on mqemitter's
 * bounded queue, which drains itself recursively: with 100 deliveries pending every further
 * message is queued, and when a delivery is released the next queued message whose subscribers
 * finish synchronously (a topic nobody subscribes to) releases the next one in the same stack.
 * A flood that queues tens of thousands of such messages overflows the stack
 * (`RangeError: Maximum call stack size exceeded`, NOTES.md; reproduced by testing/flood-probe.ts).
 *
 * 0 turns the queue off: each message is emitted at once. In-flight work stays bounded by aedes'
 * own per-client flow control (a client's next packets are read only once its current batch is
 * delivered), and the queue's O(n) `Array.shift` drain, which slowed delivery under load, is gone.
 */
export const emitterConcurrency = 0;
