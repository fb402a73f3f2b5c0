package com.contactlistbridge.ops;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

/**
 * Keeps the bridge's resident memory near what it uses: at start, the JVM is asked to give back free heap above
 * {@value #MAX_FREE_PERCENT} % of the heap (the JVM's own default keeps up to 70 %), by setting the manageable HotSpot
 * flags {@code MinHeapFreeRatio}={@value #MIN_FREE_PERCENT} and {@code MaxHeapFreeRatio}={@value #MAX_FREE_PERCENT}.
 *
 * <p>Why: the bridge's live heap after start-up is about 20 MB, but with the JVM's defaults on a large host G1 keeps
 * five times that committed, which is most of the difference between a lean and a heavy process. G1 applies the
 * ratios when it resizes the heap (after each concurrent cycle and full collection); how much the young generation may
 * grow under load is decided by G1's own pause and GC-time goals, so throughput does not depend on them.
 *
 * <p>An operator's choice wins: when either flag is given on the command line (or in {@code JAVA_TOOL_OPTIONS}),
 * neither is touched. A JVM without these flags (not HotSpot) is left as it is.
 */
public final class HeapFootprint {

    static final String MIN_FREE = "MinHeapFreeRatio";
    static final String MAX_FREE = "MaxHeapFreeRatio";
    static final int MIN_FREE_PERCENT = 20;
    static final int MAX_FREE_PERCENT = 40;

    private HeapFootprint() {
    }

    /** Applies the ratios to this JVM; returns one line that says what was done, for the start-up log. */
    public static String apply() {
        HotSpotDiagnosticMXBean vm;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            vm = null;
        }
        return apply(vm);
    }

    static String apply(HotSpotDiagnosticMXBean vm) {
        if (vm == null) {
            return "heap free ratios left as they are: not a HotSpot JVM";
        }
        try {
            VMOption min = vm.getVMOption(MIN_FREE);
            VMOption max = vm.getVMOption(MAX_FREE);
            if (min.getOrigin() != VMOption.Origin.DEFAULT || max.getOrigin() != VMOption.Origin.DEFAULT) {
                return "heap free ratios as given: -XX:" + MIN_FREE + "=" + min.getValue() + " -XX:" + MAX_FREE + "="
                        + max.getValue();
            }
            // Lower the minimum first: the JVM refuses a maximum below the current minimum (40 by default).
            vm.setVMOption(MIN_FREE, Integer.toString(MIN_FREE_PERCENT));
            vm.setVMOption(MAX_FREE, Integer.toString(MAX_FREE_PERCENT));
            return "free heap above " + MAX_FREE_PERCENT + " % is given back to the OS (-XX:" + MIN_FREE + "="
                    + MIN_FREE_PERCENT + " -XX:" + MAX_FREE + "=" + MAX_FREE_PERCENT + "; set either on the command "
                    + "line to choose otherwise)";
        } catch (IllegalArgumentException | SecurityException e) {
            return "heap free ratios left as they are: the JVM refused them (" + e.getMessage() + ")";
        }
    }
}
