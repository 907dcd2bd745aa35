package dev.fluxion.cuda;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

/**
 * Runs this module's tests tagged "gpu" (or the tags given as arguments), and core's op database on the device named
 * by {@code -Dfluxion.opdb.device} ({@code OpDeviceTest}, when core's test classes are on the class path), without
 * Maven, for GPU machines that have only a Java runtime: {@code java -cp <jars> dev.fluxion.cuda.GpuSuiteMain [tag...]}. Exits 1 on any failure,
 * 2 when no test ran (for example, every test skipped because no driver was found).
 */
public final class GpuSuiteMain {
    private GpuSuiteMain() {}

    public static void main(String[] args) {
        String[] tags = args.length == 0 ? new String[] {"gpu"} : args;
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage("dev.fluxion.cuda"), selectPackage("dev.fluxion.opdb")) // opdb: core's op database on the device
                .filters(TagFilter.includeTags(tags))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary);
        PrintWriter out = new PrintWriter(System.out, true);
        summary.getSummary().printTo(out);
        var failures = summary.getSummary().getFailures();
        for (var f : failures.subList(0, Math.min(failures.size(), 80))) { // the first 80: enough to see every kind
            out.println("FAILED " + f.getTestIdentifier().getLegacyReportingName() + ": " + f.getException());
            StackTraceElement[] trace = f.getException().getStackTrace();
            for (int i = 0; i < Math.min(trace.length, 12); i++) out.println("    at " + trace[i]);
        }
        if (failures.size() > 80) out.println("... and " + (failures.size() - 80) + " more failures");
        long failed = summary.getSummary().getTotalFailureCount(), succeeded = summary.getSummary().getTestsSucceededCount();
        System.exit(failed > 0 ? 1 : succeeded == 0 ? 2 : 0);
    }
}
