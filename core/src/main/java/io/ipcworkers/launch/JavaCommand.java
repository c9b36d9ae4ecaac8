package io.ipcworkers.launch;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Builds the command line that starts a child JVM the same way however the parent was started:
 * from a plain class path (IDE, {@code spring-boot:run}, tests) or from {@code java -jar} of a Spring
 * Boot executable jar, whose nested jars are not on {@code java.class.path} and only load through
 * Boot's launcher.
 */
final class JavaCommand {

    static final String BOOT_PROPERTIES_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

    /** Linux refuses a single argument over 128 KiB; longer class paths go into an argument file. */
    private static final int MAX_INLINE_CLASS_PATH = 64 * 1024;

    private static final String SELECTOR_PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";

    private final String javaExecutable;

    private final String classPath;

    private final boolean bootExecutableJar;

    JavaCommand(String javaExecutable, String classPath, boolean bootExecutableJar) {
        this.javaExecutable = javaExecutable;
        this.classPath = classPath;
        this.bootExecutableJar = bootExecutableJar;
    }

    /** The command for children of this JVM. */
    static JavaCommand forCurrentJvm() {
        String java = javaExecutable(ProcessHandle.current().info().command().orElse(null),
                System.getProperty("java.home", ""));
        String classPath = System.getProperty("java.class.path", "");
        boolean bootJar = isBootExecutableJar(classPath);
        if (bootJar) {
            classPath = Path.of(classPath).toAbsolutePath().toString();
        }
        else {
            classPath = withOwnEntryFirst(classPath, ownClassPathEntry());
        }
        return new JavaCommand(java, classPath, bootJar);
    }

    /**
     * The program this JVM runs as when it is the {@code java} launcher; otherwise (a JVM embedded in a
     * program of its own, such as {@code jsvc} or a service wrapper, which would not know what to do
     * with a JVM's command line) the {@code java} of this JVM's installation.
     */
    static String javaExecutable(@Nullable String command, String javaHome) {
        if (command != null) {
            String name = Path.of(command).getFileName().toString();
            if (name.equals("java") || name.equals("java.exe")) {
                return command;
            }
        }
        return Path.of(javaHome, "bin", File.separatorChar == '\\' ? "java.exe" : "java").toString();
    }

    /**
     * Moves the entry that holds ipc-workers' own classes to the front. A class path is searched
     * in order, opening each jar on the way: with ours behind a hundred application jars, a child
     * would open them all before it could run its first line. Only our own classes change places.
     */
    static String withOwnEntryFirst(String classPath, @Nullable String ownEntry) {
        if (ownEntry == null) {
            return classPath;
        }
        List<String> entries = new ArrayList<>(List.of(classPath.split(File.pathSeparator)));
        int index = entries.indexOf(ownEntry);
        if (index <= 0) {
            return classPath;
        }
        entries.add(0, entries.remove(index));
        return String.join(File.pathSeparator, entries);
    }

    private static @Nullable String ownClassPathEntry() {
        try {
            CodeSource source = WorkerMain.class.getProtectionDomain().getCodeSource();
            return (source != null) ? Path.of(source.getLocation().toURI()).toString() : null;
        }
        catch (URISyntaxException | RuntimeException ex) {
            return null;
        }
    }

    private static boolean isBootExecutableJar(String classPath) {
        ClassLoader loader = JavaCommand.class.getClassLoader();
        return loader != null && loader.getClass().getName().startsWith("org.springframework.boot.loader.")
                && !classPath.contains(File.pathSeparator) && classPath.endsWith(".jar");
    }

    /**
     * @param jvmArgs options for the child JVM, such as {@code -Xmx256m}
     * @param mainClass the child's main class
     * @param argFileDirectory a private directory for an argument file when the class path is long
     */
    List<String> build(List<String> jvmArgs, String mainClass, Path argFileDirectory) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(this.javaExecutable);
        command.add(selectorProviderProperty());
        command.addAll(jvmArgs);
        if (this.classPath.length() > MAX_INLINE_CLASS_PATH) {
            Path argFile = argFileDirectory.resolve("classpath.args");
            if (!Files.exists(argFile)) {
                Files.writeString(argFile, "-cp \"" + this.classPath.replace("\\", "\\\\") + "\"",
                        StandardCharsets.UTF_8);
            }
            command.add("@" + argFile);
        }
        else {
            command.add("-cp");
            command.add(this.classPath);
        }
        if (this.bootExecutableJar) {
            command.add("-Dloader.main=" + mainClass);
            command.add(BOOT_PROPERTIES_LAUNCHER);
        }
        else {
            command.add(mainClass);
        }
        return command;
    }

    /**
     * Names the parent's selector provider, which the child would otherwise look up as a service:
     * a scan of every jar on the class path, the largest single cost of a child's start after the
     * JVM's own. The child ends up with the same provider either way; options given later win.
     */
    static String selectorProviderProperty() {
        return "-D" + SELECTOR_PROVIDER_PROPERTY + "=" + SelectorProvider.provider().getClass().getName();
    }

    /** The class path children get (ours first, or the executable jar). */
    String classPath() {
        return this.classPath;
    }

    boolean isBootExecutableJar() {
        return this.bootExecutableJar;
    }
}
