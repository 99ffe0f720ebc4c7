package dev.relay.spring;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A small Spring Boot application with a route of its own; Relay comes from the starter alone. */
@SpringBootApplication
@RestController
public class HostApplication {
    @GetMapping("/hello")
    String hello() {
        return "hello from the application";
    }
}
