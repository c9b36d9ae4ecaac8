package io.ipcworkers.autoconfigure;

import io.ipcworkers.worker.WorkerJvm;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches outside worker JVMs: a worker sets up its worker side only and never starts pools. */
class OnParentJvmCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return WorkerJvm.isWorkerJvm()
                ? ConditionOutcome.noMatch("running inside an ipc-workers worker JVM (" + WorkerJvm.PROPERTY + "=true)")
                : ConditionOutcome.match("not a worker JVM");
    }
}
