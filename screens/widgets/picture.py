"""KImage: an Image that draws only its picture — nothing at all while empty or hidden.

Why: Kivy 2.3's Image style clips with the stencil buffer (three passes over the whole widget) and draws
a white rectangle of its full size even with no texture and at opacity 0. The identify screen's hidden
camera preview alone cost two screens of software-GL fill per frame. Our previews use
``fit_mode: 'contain'``, which never draws outside the widget, so no clip is needed.
"""

from __future__ import annotations

from kivy.lang import Builder
from kivy.uix.image import Image

Builder.load_string("""
<-KImage>:
    canvas:
        Color:
            rgba: self.color
        Rectangle:
            texture: self.texture
            size: self.norm_image_size if (self.texture is not None and self.opacity > 0) else (0, 0)
            pos: self.center_x - self.norm_image_size[0] / 2., self.center_y - self.norm_image_size[1] / 2.
""")


class KImage(Image):
    """A preview/receipt picture (see the module docstring)."""
