package io.ipcworkers.autoconfigure.actuate;

import io.ipcworkers.IpcException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link IpcWorkersEndpoint}'s restart over HTTP, with a status that says how it went: 200 with what
 * was done, 404 for no such pool or worker, and 503 with the reason when a replacement could not
 * start (the workers it names keep working). Without it, such a failure was a bare 500 whose reason
 * was only in the log.
 */
@EndpointWebExtension(endpoint = IpcWorkersEndpoint.class)
public class IpcWorkersEndpointWebExtension {

    private final IpcWorkersEndpoint endpoint;

    public IpcWorkersEndpointWebExtension(IpcWorkersEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** See {@link IpcWorkersEndpoint#restart}. */
    @WriteOperation
    public WebEndpointResponse<Object> restart(@Selector String pool, @Nullable Long pid) {
        try {
            IpcWorkersEndpoint.RestartResult result = this.endpoint.restart(pool, pid);
            return (result != null) ? new WebEndpointResponse<>(result)
                    : new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        catch (IpcException ex) {
            return new WebEndpointResponse<>(new RestartFailure(pool, String.valueOf(ex.getMessage())),
                    WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
        }
    }

    /** Why a restart did not happen. */
    public record RestartFailure(String pool, String error) {
    }
}
