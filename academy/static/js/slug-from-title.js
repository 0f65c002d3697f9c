// New course: the web address follows the title as it is typed, until the trainer types an
// address of their own. Without JavaScript the server makes it from the title when left empty.
(function () {
  "use strict";
  var title = document.getElementById("title");
  var slug = document.getElementById("slug");
  if (!title || !slug) {
    return;
  }
  var own = slug.value !== "";

  function slugify(text) {
    // As academy.courses.services.authoring.slugify: lower-case ASCII words joined by hyphens.
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
  }

  slug.addEventListener("input", function () {
    own = slug.value !== "";
  });
  title.addEventListener("input", function () {
    if (!own) {
      slug.value = slugify(title.value);
    }
  });
})();
