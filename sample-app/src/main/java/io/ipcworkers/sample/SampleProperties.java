package io.ipcworkers.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param limit count the primes below this number
 * @param chunks how many pieces the range is cut into (more pieces than workers keeps them all busy)
 */
@ConfigurationProperties("sample")
public record SampleProperties(long limit, int chunks) {

    public SampleProperties {
        if (limit < 2 || chunks < 1) {
            throw new IllegalArgumentException("sample.limit must be at least 2 and sample.chunks at least 1");
        }
    }
}
