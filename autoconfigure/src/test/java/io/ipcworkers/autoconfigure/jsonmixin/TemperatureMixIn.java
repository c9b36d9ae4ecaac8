package io.ipcworkers.autoconfigure.jsonmixin;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.springframework.boot.jackson.JacksonMixin;

@JacksonMixin(Temperature.class)
abstract class TemperatureMixIn {

    @JsonProperty("degrees")
    abstract double celsius();
}
