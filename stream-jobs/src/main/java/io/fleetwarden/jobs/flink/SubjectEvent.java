package io.fleetwarden.jobs.flink;

import io.fleetwarden.jobs.detect.SecuritySubject;
import io.fleetwarden.model.SecurityEvent;

/** A security event addressed to one subject (device, claimed identity or source address). A Flink POJO. */
public class SubjectEvent {

    public SecuritySubject.Kind kind;
    public String tenant;
    public String id;
    public String key;
    public SecurityEvent event;

    public SubjectEvent() {
    }

    public SubjectEvent(SecuritySubject subject, SecurityEvent event) {
        this.kind = subject.kind();
        this.tenant = subject.tenant();
        this.id = subject.id();
        this.key = subject.key();
        this.event = event;
    }

    public SecuritySubject subject() {
        return new SecuritySubject(kind, tenant, id);
    }
}
