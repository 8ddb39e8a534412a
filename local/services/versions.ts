/** Apache Kafka release run locally: the newest 3.9.x on Maven Central (the 3.x line the platform targets). */
export const KAFKA_VERSION = '3.9.2';

/** Scala build of the Kafka broker jar (`kafka_<scala>`). */
export const KAFKA_SCALA_VERSION = '2.13';

/** SLF4J binding to reload4j; 1.7.36 matches the slf4j-api that Kafka 3.9 depends on. */
export const SLF4J_RELOAD4J_VERSION = '1.7.36';

/** Maven plugin that copies the resolved jars into `.local/kafka/lib`. */
export const MAVEN_DEPENDENCY_PLUGIN_VERSION = '3.8.1';

/** moto release installed with its `server` extra into the project-local virtualenv. */
export const MOTO_VERSION = '5.2.5';
