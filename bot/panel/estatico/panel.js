// Escritorio de asesores: lo poco que no se puede sin JavaScript (la página funciona sin él).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Cada transcripción abre en el mensaje más reciente.
  document.querySelectorAll(".transcripcion").forEach(function (caja) {
    caja.scrollTop = caja.scrollHeight;
  });
  // Tras una acción, el foco va al aviso: el lector de pantalla lo lee y el teclado sigue ahí.
  var aviso = document.querySelector("#aviso, [data-enfocar]");
  if (aviso) {
    aviso.focus();
  }
});
