package io.ipcworkers.codec;

/**
 * A value Jackson can neither write nor read without {@link CelsiusModule} (no getters, no creator):
 * payloads of it convert only where the default mapper has found the module on the class path.
 */
public final class Celsius {

    private final double degrees;

    private Celsius(double degrees) {
        this.degrees = degrees;
    }

    public static Celsius of(double degrees) {
        return new Celsius(degrees);
    }

    public double degrees() {
        return this.degrees;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Celsius celsius && Double.compare(celsius.degrees, this.degrees) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(this.degrees);
    }

    @Override
    public String toString() {
        return this.degrees + " °C";
    }
}
