package io.ipcworkers.codec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a compiled method's bytecode length with the JDK's {@code javap}. */
final class Bytecode {

    private static final Pattern INSTRUCTION = Pattern.compile("^\\s+(\\d+): (\\w+)");

    private Bytecode() {
    }

    /** The length of the method's code: past its last instruction, which in these methods is a return. */
    static int lengthOf(Class<?> type, String methodSignature) {
        String className = type.getName();
        String classPath;
        try {
            classPath = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow(() -> new IllegalStateException("no javap"));
        StringWriter out = new StringWriter();
        int exit = javap.run(new PrintWriter(out), new PrintWriter(out), "-c", "-p", "-cp",
                classPath, className);
        if (exit != 0) {
            throw new IllegalStateException("javap failed: " + out);
        }
        boolean inMethod = false;
        int last = -1;
        String lastOpcode = "";
        for (String line : out.toString().split("\n")) {
            if (line.startsWith("  ") && !line.startsWith("   ")) {
                inMethod = line.contains(" " + methodSignature);
                continue;
            }
            Matcher instruction = INSTRUCTION.matcher(line);
            if (inMethod && instruction.find()) {
                last = Integer.parseInt(instruction.group(1));
                lastOpcode = instruction.group(2);
            }
        }
        if (last < 0 || !lastOpcode.endsWith("return")) {
            throw new IllegalStateException("No method " + methodSignature + " ending in a return in " + className);
        }
        return last + 1;
    }
}
