#!/bin/bash
# Single-node KRaft Kafka (broker + controller) for Fleetwarden, then the platform's topics.
# Settings (environment):
#   KAFKA_ADVERTISED_HOST   name other containers use (default: the container's hostname)
#   KAFKA_EXTERNAL_ADVERTISED host:port advertised on the external listener 19092 (default localhost:19092)
#   KAFKA_CLUSTER_ID        cluster id used when formatting empty storage (default: random)
#   FW_TOPIC_MAX_PARTITIONS cap on partitions per topic (default 3; production counts are in Topics.ALL)
#   FW_TOPIC_REPLICATION    replication factor of created topics (default 1)
#   KAFKA_HEAP_OPTS         JVM heap (default -Xms128m -Xmx512m)
set -euo pipefail
data=/var/lib/kafka/data
conf=/var/lib/kafka/server.properties
host="${KAFKA_ADVERTISED_HOST:-${HOSTNAME:-$(hostname)}}"
mkdir -p "$data"
cat > "$conf" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:9093
listeners=INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:19092,CONTROLLER://localhost:9093
advertised.listeners=INTERNAL://${host}:9092,EXTERNAL://${KAFKA_EXTERNAL_ADVERTISED:-localhost:19092}
listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
log.dirs=${data}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
cp="/opt/kafka/libs/*"
if [ ! -f "$data/meta.properties" ]; then
  java -cp "$cp" kafka.tools.StorageTool format --standalone \
    -t "${KAFKA_CLUSTER_ID:-$(java -cp "$cp" kafka.tools.StorageTool random-uuid)}" -c "$conf"
fi
# Topics once the broker answers; the broker keeps running if this fails (the log says why).
( java -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "/opt/fleetwarden/lib/*" io.fleetwarden.deploy.TopicInitializer \
    --bootstrap localhost:9092 --max-partitions "${FW_TOPIC_MAX_PARTITIONS:-3}" \
    --replication "${FW_TOPIC_REPLICATION:-1}" --wait-seconds 120 \
  && touch /var/lib/kafka/topics-ready ) &
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} -XX:+UseSerialGC -cp "$cp" kafka.Kafka "$conf"
