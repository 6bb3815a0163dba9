package io.fleetwarden.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.flink.util.NumberSequenceIterator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark's input shape: each source range its own devices, in event-time order, over the same span. */
class FleetGeneratorTest {

    @ParameterizedTest
    @CsvSource({"100000, 1000, 2", "100001, 1000, 2", "99999, 999, 3", "50000, 10000, 2", "7, 3, 2"})
    void everyRangeReadsItsOwnDevicesInEventTimeOrderOverTheSameSpan(long count, int devices, int slices) {
        FleetGenerator gen = new FleetGenerator(devices);
        // The ranges exactly as Flink's fromSequence hands them to its subtasks.
        NumberSequenceIterator[] ranges = new NumberSequenceIterator(0, count - 1).split(slices);
        Map<Long, Integer> rangeOfDevice = new HashMap<>();
        Set<Long> seen = new HashSet<>();
        long[] firstTime = new long[slices];
        long[] lastTime = new long[slices];
        for (int r = 0; r < slices; r++) {
            final int range = r;
            Map<Long, Long> lastOfDevice = new HashMap<>();
            firstTime[r] = Long.MAX_VALUE;
            NumberSequenceIterator it = ranges[r];
            while (it.hasNext()) {
                long k = gen.ordered(it.next(), count, slices);
                assertThat(seen.add(k)).as("fleet index %d generated twice", k).isTrue();
                long device = k % devices;
                long time = gen.timeOf(k);
                int owner = rangeOfDevice.computeIfAbsent(device, d -> range);
                assertThat(owner).as("device %d read by ranges %d and %d", device, owner, range).isEqualTo(range);
                Long before = lastOfDevice.put(device, time);
                assertThat(before == null || before < time).as("device %d's events in event-time order", device).isTrue();
                firstTime[r] = Math.min(firstTime[r], time);
                lastTime[r] = Math.max(lastTime[r], time);
            }
        }
        if (count >= (long) devices * 4) {
            // every range spans the same event time, to within one round of the fleet (30 s)
            for (int r = 1; r < slices; r++) {
                assertThat(Math.abs(firstTime[r] - firstTime[0])).isLessThanOrEqualTo(30_000L);
                assertThat(Math.abs(lastTime[r] - lastTime[0])).isLessThanOrEqualTo(30_000L);
            }
        }
    }
}
