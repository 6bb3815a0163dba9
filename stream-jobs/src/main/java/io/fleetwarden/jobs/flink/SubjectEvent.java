package io.fleetwarden.jobs.flink;

import java.lang.reflect.Type;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import io.fleetwarden.jobs.detect.SecuritySubject;
import io.fleetwarden.model.SecurityEvent;

/**
 * A security event addressed to one subject (device, claimed identity or source address). Crosses the
 * shuffle to the burst stage with the hand-written {@link SubjectEventSerializer}.
 */
@TypeInfo(SubjectEvent.TypeInfoFactory.class)
public class SubjectEvent {

    /** Attaches {@link SubjectEventSerializer} wherever Flink derives this type's information. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<SubjectEvent> {
        @Override
        public TypeInformation<SubjectEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new HandSerializedTypeInfo<>(SubjectEvent.class, SubjectEventSerializer::new);
        }
    }

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
