// El chat web (bot/canales/web/rutas.py lo sirve en /chat/chat.js).
// Quién es la persona lo decide el servidor con una cookie HttpOnly: esta página no guarda
// ningún id (ni en localStorage) y funciona igual en HTTP que en HTTPS.
(function () {
  "use strict";
  var conversacion = document.getElementById("conversacion");
  var formulario = document.getElementById("formulario");
  var entrada = document.getElementById("entrada");
  var botonEnviar = document.getElementById("enviar");
  var botonSalir = document.getElementById("salir");
  var adjuntar = document.getElementById("adjuntar");
  var contador = 0;
  var ultimoId = 0;  // el último mensaje que llegó sin que la persona escribiera
  var sondeando = false;

  // Id de cada mensaje para que un reintento no se procese dos veces (no es secreto).
  function idMensaje() {
    contador += 1;
    return Date.now().toString(36) + "-" + contador + "-" + Math.random().toString(36).slice(2, 8);
  }

  // Texto con *negritas*: se arma con nodos, nunca con innerHTML (el texto se escapa solo).
  function conFormato(contenedor, texto) {
    var partes = texto.split(/(\*[^*\n]+\*)/g);
    partes.forEach(function (parte) {
      if (/^\*[^*\n]+\*$/.test(parte)) {
        var fuerte = document.createElement("strong");
        fuerte.textContent = parte.slice(1, -1);
        contenedor.appendChild(fuerte);
      } else if (parte) {
        contenedor.appendChild(document.createTextNode(parte));
      }
    });
  }

  function agregar(clase, texto) {
    var div = document.createElement("div");
    div.className = "burbuja " + clase;
    conFormato(div, texto);
    conversacion.appendChild(div);
    conversacion.scrollTop = conversacion.scrollHeight;
    return div;
  }

  function avisar(texto) {
    var aviso = document.createElement("div");
    aviso.className = "aviso";
    aviso.textContent = texto;
    conversacion.appendChild(aviso);
    conversacion.scrollTop = conversacion.scrollHeight;
  }

  function mostrarRespuesta(r) {
    if (r.id) {
      if (r.id <= ultimoId) { return; }  // ya se pintó (no se repite)
      ultimoId = r.id;
    }
    if (r.text) {
      var burbuja = agregar("bot", r.text);
      if (r.link && /^https?:\/\//.test(r.link)) {
        var p = document.createElement("div");
        p.className = "fuente";
        var a = document.createElement("a");
        a.href = r.link; a.target = "_blank"; a.rel = "noopener noreferrer";
        a.textContent = "Abrir la fuente";
        p.appendChild(a);
        burbuja.appendChild(p);
      }
    }
    if (r.attachment) {
      var adjunto = agregar("bot", "📎 ");
      if (r.attachment.url && /^\/documentos\//.test(r.attachment.url)) {
        var enlace = document.createElement("a");
        enlace.href = r.attachment.url;
        enlace.textContent = r.attachment.name;
        enlace.setAttribute("download", r.attachment.name);
        adjunto.appendChild(enlace);
      } else {
        adjunto.appendChild(document.createTextNode(r.attachment.name));
      }
    }
    if (r.buttons && r.buttons.length) {
      var fila = document.createElement("div");
      fila.className = "botones";
      r.buttons.forEach(function (b) {
        var boton = document.createElement("button");
        boton.type = "button";
        boton.textContent = b.title;
        boton.addEventListener("click", function () { enviar({payload: b.payload}, b.title); });
        fila.appendChild(boton);
      });
      conversacion.appendChild(fila);
      conversacion.scrollTop = conversacion.scrollHeight;
    }
  }

  function pedir(ruta, cuerpo) {
    return fetch(ruta, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(cuerpo)
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (datos) {
        if (!res.ok) {
          var error = new Error(String(res.status));
          error.mensaje = datos && datos.error;
          throw error;
        }
        return datos;
      });
    });
  }

  // `mensaje` es {texto: "..."} o {payload: "/..."}; `visible`, lo que se pinta.
  function enviar(mensaje, visible) {
    var texto = mensaje.texto !== undefined ? mensaje.texto : mensaje.payload;
    if (!texto || !texto.trim()) { return; }
    agregar("usuario", visible || texto);
    botonEnviar.disabled = true;
    mensaje.message_id = idMensaje();
    pedir("/chat/mensajes", mensaje).then(function (respuestas) {
      respuestas.forEach(mostrarRespuesta);
    }).catch(function (error) {
      avisar(error.mensaje || "No pude enviar su mensaje. Revise su conexión e intente de nuevo.");
    }).finally(function () {
      botonEnviar.disabled = false;
      entrada.focus();
    });
  }

  // Sondeo largo: lo que llega sin que la persona escriba (la respuesta de un asesor, un
  // aviso). El servidor espera hasta ~25 s; al volver, se pide otra vez. Un solo ciclo.
  function esperarMensajes() {
    if (sondeando) { return; }
    sondeando = true;
    function otraVez(demora) {
      setTimeout(function () { sondeando = false; esperarMensajes(); }, demora);
    }
    fetch("/chat/pendientes?despues=" + ultimoId, {credentials: "same-origin"})
      .then(function (res) {
        if (!res.ok) { throw new Error(String(res.status)); }
        return res.json();
      }).then(function (llegaron) {
        llegaron.forEach(mostrarRespuesta);
        otraVez(llegaron.length ? 0 : 1000);
      }).catch(function () {
        otraVez(5000);  // sin conexión: se reintenta sin saturar
      });
  }

  // Un archivo (PDF, DOCX, JPG, PNG): va como formulario multipart y la respuesta se pinta
  // igual que la de un mensaje.
  function subir(archivo) {
    agregar("usuario", "📎 " + archivo.name);
    var datos = new FormData();
    datos.append("archivo", archivo, archivo.name);
    datos.append("message_id", idMensaje());
    adjuntar.disabled = true;
    fetch("/chat/archivo", {method: "POST", credentials: "same-origin", body: datos})
      .then(function (res) {
        return res.json().catch(function () { return null; }).then(function (cuerpo) {
          if (!res.ok) {
            var error = new Error(String(res.status));
            error.mensaje = res.status === 413
              ? "El archivo es demasiado grande." : (cuerpo && cuerpo.error);
            throw error;
          }
          return cuerpo;
        });
      }).then(function (respuestas) {
        respuestas.forEach(mostrarRespuesta);
      }).catch(function (error) {
        avisar(error.mensaje || "No pude enviar el archivo. Revise su conexión e intente de nuevo.");
      }).finally(function () {
        adjuntar.disabled = false;
        adjuntar.value = "";
      });
  }

  function saludar() {
    sessionStorage.setItem("ch-saludo", "1");
    enviar({texto: "hola"});
  }

  formulario.addEventListener("submit", function (e) {
    e.preventDefault();
    var texto = entrada.value;
    entrada.value = "";
    enviar({texto: texto});
  });
  adjuntar.addEventListener("change", function () {
    if (adjuntar.files && adjuntar.files.length) { subir(adjuntar.files[0]); }
  });
  entrada.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); formulario.requestSubmit(); }
  });
  // «Cerrar sesión»: el servidor borra la cookie y la página empieza una conversación nueva
  // (la siguiente persona en esta computadora no ve la anterior).
  botonSalir.addEventListener("click", function () {
    botonSalir.disabled = true;
    pedir("/chat/salir", {}).then(function () {
      conversacion.textContent = "";
      avisar("Sesión cerrada: esta computadora ya no muestra la conversación anterior.");
      saludar();
    }).catch(function () {
      avisar("No pude cerrar la sesión. Intente de nuevo.");
    }).finally(function () {
      botonSalir.disabled = false;
    });
  });
  if (!sessionStorage.getItem("ch-saludo")) {
    saludar();
  }
  esperarMensajes();
})();
