export {
  enqueueOutboxEvent,
  listOutboxEvents,
  type OutboxEvent,
  type StoredOutboxEvent,
} from './outbox.repository.js';
