package com.contactlistbridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import org.junit.jupiter.api.Test;

class HeapFootprintTest {

    @Test
    void theJvmDefaultsAreLoweredMinimumFirst() {
        FakeVm vm = new FakeVm(VMOption.Origin.DEFAULT);

        String said = HeapFootprint.apply(vm);

        // Minimum first: HotSpot (and the fake) refuse a maximum below the current minimum.
        assertThat(vm.set).containsExactly("MinHeapFreeRatio=20", "MaxHeapFreeRatio=40");
        assertThat(vm.values).containsEntry("MinHeapFreeRatio", "20").containsEntry("MaxHeapFreeRatio", "40");
        assertThat(said).contains("given back", "-XX:MaxHeapFreeRatio=40");
    }

    @Test
    void anOperatorsChoiceOnTheCommandLineIsKept() {
        FakeVm vm = new FakeVm(VMOption.Origin.VM_CREATION);
        vm.values.put("MaxHeapFreeRatio", "70");
        vm.values.put("MinHeapFreeRatio", "10");

        String said = HeapFootprint.apply(vm);

        assertThat(vm.set).isEmpty();
        assertThat(said).isEqualTo("heap free ratios as given: -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=70");
    }

    @Test
    void aJvmThatRefusesIsLeftAsItIsAndTheBridgeStillStarts() {
        FakeVm vm = new FakeVm(VMOption.Origin.DEFAULT);
        vm.refuse = true;

        assertThat(HeapFootprint.apply(vm)).startsWith("heap free ratios left as they are: the JVM refused them");
        assertThat(HeapFootprint.apply(null)).contains("not a HotSpot JVM");
    }

    /** On this very JVM (surefire's, started without these flags): both are manageable and take the values. */
    @Test
    void theRunningJvmTakesTheRatios() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assertThat(vm.getVMOption("MaxHeapFreeRatio").getOrigin()).isEqualTo(VMOption.Origin.DEFAULT);

        HeapFootprint.apply();

        assertThat(vm.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo("20");
        assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo("40");
        assertThat(vm.getVMOption("MaxHeapFreeRatio").getOrigin()).isEqualTo(VMOption.Origin.MANAGEMENT);
        // Applied again (a second bridge in one JVM): the ratios are now the management's, so they stay.
        assertThat(HeapFootprint.apply()).startsWith("heap free ratios as given");
    }

    /** The two flags as HotSpot keeps them: minimum at most maximum, else the new value is refused. */
    private static final class FakeVm implements HotSpotDiagnosticMXBean {
        final Map<String, String> values = new LinkedHashMap<>(Map.of("MinHeapFreeRatio", "40",
                "MaxHeapFreeRatio", "70"));
        final List<String> set = new ArrayList<>();
        final VMOption.Origin origin;
        boolean refuse;

        FakeVm(VMOption.Origin origin) {
            this.origin = origin;
        }

        @Override
        public VMOption getVMOption(String name) {
            return new VMOption(name, values.get(name), true, origin);
        }

        @Override
        public void setVMOption(String name, String value) {
            int v = Integer.parseInt(value);
            if (refuse || (name.equals("MaxHeapFreeRatio") && v < Integer.parseInt(values.get("MinHeapFreeRatio")))
                    || (name.equals("MinHeapFreeRatio") && v > Integer.parseInt(values.get("MaxHeapFreeRatio")))) {
                throw new IllegalArgumentException(name + "=" + value + " refused");
            }
            values.put(name, value);
            set.add(name + "=" + value);
        }

        @Override
        public void dumpHeap(String outputFile, boolean live) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<VMOption> getDiagnosticOptions() {
            return List.of();
        }

        @Override
        public ObjectName getObjectName() {
            return null;
        }
    }
}
