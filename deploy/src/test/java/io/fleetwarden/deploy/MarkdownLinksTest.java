package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every relative link in every Markdown file of the repository points at a file, folder or heading that exists. */
class MarkdownLinksTest {

    private static final Path REPO = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();

    @Test
    void everyRelativeLinkInTheRepositoryResolves() throws IOException {
        assertThat(REPO.resolve("README.md")).as("repository root").exists();
        List<Path> files = MarkdownLinks.markdownFiles(REPO);
        assertThat(files).as("Markdown files found").hasSizeGreaterThan(5);

        List<MarkdownLinks.Broken> broken = new MarkdownLinks().check(REPO);

        assertThat(broken).as("broken relative links").isEmpty();
    }

    @Test
    void reportsMissingFilesMissingAnchorsAndLinksLeavingTheRepository(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/guide.md"), "# Guide\n\n## Measured figures\n\n## Measured figures\n");
        Files.writeString(root.resolve("README.md"), String.join("\n",
                "# Top",
                "[ok](docs/guide.md) [ok anchor](docs/guide.md#measured-figures) [second](docs/guide.md#measured-figures-1)",
                "[folder](docs/) [self](#top) [web](https://example.com/nothing) [mail](mailto:a@b.c)",
                "[gone](docs/missing.md) [bad anchor](docs/guide.md#nothing-here) [out](../../etc/passwd)",
                "![img](docs/pic.png)",
                "",
                "```",
                "[in a code block](nowhere.md)",
                "```",
                "and `[in a code span](nowhere.md)`",
                "",
                "[ref link][r]",
                "",
                "[r]: docs/absent.md",
                ""));
        Files.createDirectories(root.resolve("target"));
        Files.writeString(root.resolve("target/ignored.md"), "[build output](nowhere.md)\n");

        List<MarkdownLinks.Broken> broken = new MarkdownLinks().check(root);

        assertThat(broken).extracting(MarkdownLinks.Broken::destination).containsExactly(
                "docs/missing.md", "docs/guide.md#nothing-here", "../../etc/passwd", "docs/pic.png",
                "docs/absent.md");
        assertThat(broken.get(0).reason()).contains("no such file").contains("docs/missing.md");
        assertThat(broken.get(1).reason()).contains("#nothing-here");
        assertThat(broken.get(2).reason()).contains("outside the repository");
    }

    @Test
    void headingAnchorsFollowGitHub() {
        assertThat(new MarkdownLinks().anchorsOf("# stream-jobs\n## Why Flink 2.2.1 + `kafka-clients` 4.2.1\n"
                + "### Scale model: 10 million devices (≈ 167,000 msg/s)\n## Tests\n## Tests\n"))
                .containsExactly("stream-jobs", "why-flink-221--kafka-clients-421",
                        "scale-model-10-million-devices--167000-msgs", "tests", "tests-1");
    }
}
