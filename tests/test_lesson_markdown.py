"""Lesson Markdown: the course's own images, allow-listed video players, nothing else."""

import pytest

from academy.lesson_markdown import LessonFile, media_problems, render_lesson, video_for

FILES = {
    1: LessonFile("/courses/c/files/1/map.png", True, "map.png"),
    2: LessonFile("/courses/c/files/2/a.pdf", False, "a.pdf"),
}


def _render(text: str) -> str:
    return str(render_lesson(text, files=FILES.get))


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        ("http://youtu.be/dQw4w9WgXcQ", None),  # not https
        ('https://youtu.be/dQw4w9WgXcQ"onload=x', None),
        ("https://evil.example/watch?v=dQw4w9WgXcQ", None),
        ("https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ", None),
    ],
)
def test_only_known_players_give_an_embed(url, embed):
    video = video_for(url)
    assert (video.embed if video else None) == embed


def test_course_files_become_images_and_links_and_nothing_else_does():
    html = _render("![A map](upload:1) [Handout](upload:2) ![gone](upload:9) ![x](https://evil.example/x.png)")
    assert '<img src="/courses/c/files/1/map.png" alt="A map" loading="lazy">' in html
    assert '<a href="/courses/c/files/2/a.pdf"' in html and ">Handout</a>" in html
    assert "gone" in html and "upload:9" not in html
    assert "<img" not in html.replace('<img src="/courses/c/files/1/map.png"', "")


def test_raw_html_frames_and_images_are_never_passed_through():
    html = _render(
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"></iframe><img src=x onerror=alert(1)>'
    )
    assert "<iframe" not in html and "<img" not in html


def test_a_video_has_its_text_alternative_and_a_plain_link():
    html = _render("![Checking a claim](https://youtu.be/dQw4w9WgXcQ)")
    assert html.startswith('<figure class="video"><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"')
    assert 'title="Checking a claim"' in html and "<figcaption>Checking a claim" in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html


def test_images_and_videos_without_a_text_alternative_are_found():
    assert media_problems("![](upload:1)\n\n![ok](upload:2)\n\n![ ](https://youtu.be/dQw4w9WgXcQ)") == [
        "upload:1",
        "https://youtu.be/dQw4w9WgXcQ",
    ]
