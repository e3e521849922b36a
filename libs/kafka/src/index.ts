export { BoundedProducer, type BoundedProducerOptions, type ProducerRecord } from './bounded-producer';
