package io.fleetwarden.broker.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import net.jpountz.lz4.LZ4Factory;

/**
 * The extension runs in its own class loader, as under HiveMQ: there lz4-java hands Kafka its pure-Java codec unless
 * {@link NativeLz4#enable()} loaded the native one in that class loader.
 */
class NativeLz4Test {

    /** A class loader like HiveMQ's extension loader: lz4-java, slf4j and this module's classes, no parent classes. */
    private static URLClassLoader extensionLoader() {
        return new URLClassLoader(new URL[] {location(LZ4Factory.class), location(NativeLz4.class),
                location(LoggerFactory.class)}, ClassLoader.getPlatformClassLoader());
    }

    private static URL location(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    private static String fastestCompressor(ClassLoader loader) throws Exception {
        Class<?> factory = loader.loadClass(LZ4Factory.class.getName());
        Object fastest = factory.getMethod("fastestInstance").invoke(null);
        return factory.getMethod("fastCompressor").invoke(fastest).getClass().getSimpleName();
    }

    @Test
    void anExtensionClassLoaderGetsTheJavaCodecByDefault() throws Exception {
        try (URLClassLoader loader = extensionLoader()) {
            assertThat(fastestCompressor(loader)).isEqualTo("LZ4JavaSafeCompressor");
        }
    }

    @Test
    void enableMakesKafkasLz4NativeInTheExtensionsClassLoader() throws Exception {
        // the system class loader of this test loaded the native library already: each loader gets its own copy
        assertThat(LZ4Factory.fastestInstance().fastCompressor().getClass().getSimpleName()).isEqualTo("LZ4JNICompressor");
        for (int i = 0; i < 2; i++) { // a restarted extension: a second class loader in the same JVM
            try (URLClassLoader loader = extensionLoader()) {
                boolean enabled = (boolean) loader.loadClass(NativeLz4.class.getName()).getMethod("enable").invoke(null);
                assertThat(enabled).isTrue();
                assertThat(fastestCompressor(loader)).isEqualTo("LZ4JNICompressor");
            }
        }
    }
}
