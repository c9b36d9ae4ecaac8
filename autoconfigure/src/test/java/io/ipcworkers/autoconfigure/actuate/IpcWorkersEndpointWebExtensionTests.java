package io.ipcworkers.autoconfigure.actuate;

import io.ipcworkers.IpcException;
import io.ipcworkers.pool.PoolSnapshot;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP status and body of each way a restart through the endpoint can end. */
class IpcWorkersEndpointWebExtensionTests {

    private static final PoolSnapshot SNAPSHOT = new PoolSnapshot("thumbnails", "running", null, 1, 1, 0, 0, 0, 0, 0,
            null, java.util.List.of("resize"), java.util.List.of());

    @Test
    void aRestartDoneIsOkWithWhatWasDone() {
        IpcWorkersEndpoint.RestartResult done = new IpcWorkersEndpoint.RestartResult("thumbnails",
                "rolling restart completed", SNAPSHOT);

        WebEndpointResponse<Object> response = extension((pool, pid) -> done).restart("thumbnails", null);

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getBody()).isSameAs(done);
    }

    @Test
    void noSuchPoolOrWorkerIsNotFound() {
        WebEndpointResponse<Object> response = extension((pool, pid) -> null).restart("thumbnails", 42L);

        assertThat(response.getStatus()).isEqualTo(404);
    }

    @Test
    void aReplacementThatCouldNotStartIsServiceUnavailableSayingWhy() {
        String why = "Could not start a replacement for worker thumbnails-1 (pid 42) (restart requested): "
                + "Worker thumbnails-3 exited with code 1 before it was ready; it keeps working";

        WebEndpointResponse<Object> response = extension((pool, pid) -> {
            throw new IpcException(why);
        }).restart("thumbnails", 42L);

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getBody()).isEqualTo(new IpcWorkersEndpointWebExtension.RestartFailure("thumbnails", why));
    }

    private static IpcWorkersEndpointWebExtension extension(Restart restart) {
        return new IpcWorkersEndpointWebExtension(new IpcWorkersEndpoint(null) {

            @Override
            public IpcWorkersEndpoint.@Nullable RestartResult restart(String pool, @Nullable Long pid) {
                return restart.restart(pool, pid);
            }
        });
    }

    /** What the endpoint's restart does, in place of real pools. */
    @FunctionalInterface
    interface Restart {

        IpcWorkersEndpoint.@Nullable RestartResult restart(String pool, @Nullable Long pid);
    }
}
