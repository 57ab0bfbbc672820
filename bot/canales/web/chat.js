// El chat web (bot/canales/web/rutas.py lo sirve en /chat/chat.js).
// Quién es la persona lo decide el servidor con una cookie HttpOnly: esta página no guarda
// ningún id (ni en localStorage) y funciona igual en HTTP que en HTTPS. Al cargar, rehace la
// conversación desde el servidor (GET /chat/historial); si no hay ninguna, saluda.
//
// Accesibilidad: la conversación es un role="log" (lo nuevo se anuncia con cortesía) y cada
// mensaje dice quién habla («Asistente:», «Usted:», visualmente ocultos; el de un asesor ya
// empieza con su nombre). Los botones de cada pregunta van en un role="group" con la pregunta
// por nombre y se retiran (deshabilitados, el elegido con aria-pressed) al contestar. Mientras
// se espera, un role="status" dice «escribiendo…». La página nunca mueve el foco al cargar.
(function () {
  "use strict";
  var conversacion = document.getElementById("conversacion");
  var estado = document.getElementById("estado");
  var formulario = document.getElementById("formulario");
  var entrada = document.getElementById("entrada");
  var botonEnviar = document.getElementById("enviar");
  var botonSalir = document.getElementById("salir");
  var adjuntar = document.getElementById("adjuntar");
  var contador = 0;
  var ultimoId = 0;  // el último mensaje que llegó sin que la persona escribiera
  var sondeando = false;
  var esperando = 0;  // envíos en curso
  var QUIEN = {usuario: "Usted: ", bot: "Asistente: "};
  var SIN_CONEXION = "No pude enviar su mensaje. Revise su conexión e intente de nuevo; " +
    "su texto sigue en la caja.";

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

  // ¿Estaba la persona al final de la conversación? (si subió a leer, no se le mueve)
  var alFondo = true;
  function alFinal() {
    conversacion.scrollTop = conversacion.scrollHeight;
    alFondo = true;
  }
  conversacion.addEventListener("scroll", function () {
    alFondo = conversacion.scrollHeight - conversacion.scrollTop - conversacion.clientHeight < 40;
  });
  // Al cambiar de tamaño (girar el teléfono, abrirse el teclado) sigue viéndose lo último.
  window.addEventListener("resize", function () { if (alFondo) { alFinal(); } });

  // Un mensaje de `autor` («usuario», «bot» o «asesor»), nombrado por quién habla.
  function agregar(autor, texto) {
    var div = document.createElement("div");
    div.className = "burbuja " + (autor === "usuario" ? "usuario" : "bot");
    if (autor === "asesor") { div.className += " asesor"; }
    if (QUIEN[autor]) {
      var quien = document.createElement("span");
      quien.className = "visualmente-oculto";
      quien.textContent = QUIEN[autor];
      div.appendChild(quien);
    }
    conFormato(div, texto);
    conversacion.appendChild(div);
    alFinal();
    return div;
  }

  function avisar(texto, clase) {
    var aviso = document.createElement("div");
    aviso.className = "aviso" + (clase ? " " + clase : "");
    aviso.textContent = texto;
    conversacion.appendChild(aviso);
    alFinal();
    return aviso;
  }

  // El nombre de un grupo de botones: la pregunta del mensaje (su última oración con «?»,
  // o su último renglón).
  function pregunta(texto) {
    var limpio = (texto || "").replace(/\*/g, "").trim();
    var preguntas = limpio.match(/[¿][^?]*\?/g);
    var nombre = preguntas ? preguntas[preguntas.length - 1]
      : limpio.split(/\n+/).pop();
    nombre = (nombre || "Opciones").trim();
    return nombre.length > 160 ? nombre.slice(0, 157) + "…" : nombre;
  }

  function botones(r) {
    var fila = document.createElement("div");
    fila.className = "botones";
    fila.setAttribute("role", "group");
    fila.setAttribute("aria-label", pregunta(r.text));
    r.buttons.forEach(function (b) {
      var boton = document.createElement("button");
      boton.type = "button";
      boton.textContent = b.title;
      boton.dataset.payload = b.payload;
      boton.addEventListener("click", function () {
        enviar({payload: b.payload}, b.title, boton);
      });
      fila.appendChild(boton);
    });
    conversacion.appendChild(fila);
    alFinal();
    return fila;
  }

  // Retira los botones aún vivos: ya no se pueden pulsar y el elegido queda marcado. Devuelve
  // lo retirado, por si el envío falla y hay que devolverlo.
  function retirar(elegido) {
    var grupos = Array.prototype.slice.call(
      conversacion.querySelectorAll(".botones:not(.retirados)"));
    grupos.forEach(function (grupo) {
      grupo.classList.add("retirados");
      Array.prototype.forEach.call(grupo.querySelectorAll("button"), function (boton) {
        boton.disabled = true;
        if (boton === elegido) { boton.setAttribute("aria-pressed", "true"); }
      });
    });
    return grupos;
  }

  function devolver(grupos) {
    grupos.forEach(function (grupo) {
      grupo.classList.remove("retirados");
      Array.prototype.forEach.call(grupo.querySelectorAll("button"), function (boton) {
        boton.disabled = false;
        boton.removeAttribute("aria-pressed");
      });
    });
  }

  function mostrarRespuesta(r) {
    if (r.id) {
      if (r.id <= ultimoId) { return; }  // ya se pintó (no se repite)
      ultimoId = r.id;
    }
    var autor = r.autor === "asesor" ? "asesor" : "bot";
    if (r.text) {
      var burbuja = agregar(autor, r.text);
      if (r.link && /^https?:\/\//.test(r.link)) {
        var p = document.createElement("div");
        p.className = "fuente";
        var a = document.createElement("a");
        a.href = r.link; a.target = "_blank"; a.rel = "noopener noreferrer";
        a.textContent = "Abrir la fuente";
        var nueva = document.createElement("span");
        nueva.className = "visualmente-oculto";
        nueva.textContent = " (se abre en otra pestaña)";
        a.appendChild(nueva);
        p.appendChild(a);
        burbuja.appendChild(p);
      }
    }
    if (r.attachment) {
      var adjunto = agregar(autor, "📎 ");
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
    if (r.buttons && r.buttons.length) { botones(r); }
  }

  function escribiendo(si) {
    esperando += si ? 1 : -1;
    estado.textContent = esperando > 0 ? "El asistente está escribiendo…" : "";
    conversacion.setAttribute("aria-busy", esperando > 0 ? "true" : "false");
  }

  function leer(res, mensajes) {
    return res.json().catch(function () { return null; }).then(function (datos) {
      if (!res.ok) {
        var error = new Error(String(res.status));
        error.mensaje = (mensajes && mensajes[res.status]) || (datos && datos.error);
        throw error;
      }
      return datos;
    });
  }

  function pedir(ruta, cuerpo) {
    return fetch(ruta, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(cuerpo)
    }).then(function (res) { return leer(res); });
  }

  // ¿Quedó el foco en nada (un botón que se acaba de retirar)? Entonces va a la caja de texto,
  // salvo en pantallas táctiles (abriría el teclado sin que la persona lo pida).
  function cuidarFoco(origen) {
    var activo = document.activeElement;
    var perdido = !activo || activo === document.body || activo === origen;
    if (perdido && origen && !window.matchMedia("(pointer: coarse)").matches) { entrada.focus(); }
  }

  // `mensaje` es {texto: "..."} o {payload: "/..."}; `visible`, lo que se pinta; `boton`, el
  // botón pulsado (si lo hubo). Si el envío falla, el texto vuelve a la caja y los botones
  // retirados vuelven a servir.
  function enviar(mensaje, visible, boton) {
    var texto = mensaje.texto !== undefined ? mensaje.texto : mensaje.payload;
    if (!texto || !texto.trim()) { return; }
    var propia = agregar("usuario", visible || texto);
    var retirados = retirar(boton);
    escribiendo(true);
    mensaje.message_id = idMensaje();
    pedir("/chat/mensajes", mensaje).then(function (respuestas) {
      respuestas.forEach(mostrarRespuesta);
    }).catch(function (error) {
      propia.remove();
      devolver(retirados);
      if (mensaje.texto !== undefined && !entrada.value) {
        entrada.value = mensaje.texto;
        ajustarAltura();
      }
      var motivo = error.mensaje ? error.mensaje + " " : "";
      avisar(mensaje.texto !== undefined
        ? (motivo ? motivo + "Su texto sigue en la caja." : SIN_CONEXION)
        : motivo || "No pude enviar su respuesta. Revise su conexión e intente de nuevo.",
        "error");
    }).finally(function () {
      escribiendo(false);
      cuidarFoco(boton);
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
    var propia = agregar("usuario", "📎 " + archivo.name);
    var retirados = retirar(null);
    var datos = new FormData();
    datos.append("archivo", archivo, archivo.name);
    datos.append("message_id", idMensaje());
    adjuntar.disabled = true;
    escribiendo(true);
    fetch("/chat/archivo", {method: "POST", credentials: "same-origin", body: datos})
      .then(function (res) {
        return leer(res, {413: "El archivo es demasiado grande."});
      }).then(function (respuestas) {
        respuestas.forEach(mostrarRespuesta);
      }).catch(function (error) {
        propia.remove();
        devolver(retirados);
        avisar(error.mensaje ||
          "No pude enviar el archivo. Revise su conexión e intente de nuevo.", "error");
      }).finally(function () {
        escribiendo(false);
        adjuntar.disabled = false;
        adjuntar.value = "";
      });
  }

  // La conversación ya dicha, como estaba: los botones ya contestados, retirados y con el
  // elegido marcado; los de la última pregunta, vivos.
  function rehacer(mensajes) {
    var pendiente = null;  // el grupo de botones que aún no se contesta
    mensajes.forEach(function (m) {
      if (m.autor === "aviso") {
        avisar(m.text);
      } else if (m.autor === "usuario") {
        if (pendiente) {
          var elegido = null;
          Array.prototype.forEach.call(pendiente.querySelectorAll("button"), function (b) {
            if ((m.payload && b.dataset.payload === m.payload) ||
                b.textContent.trim().toLowerCase() === (m.text || "").trim().toLowerCase()) {
              elegido = elegido || b;
            }
          });
          retirar(elegido);
          pendiente = null;
        }
        agregar("usuario", m.text);
      } else {
        mostrarRespuesta(m);
        if (m.buttons && m.buttons.length) { pendiente = conversacion.lastElementChild; }
      }
    });
  }

  function saludar() {
    enviar({texto: "hola"});
  }

  function empezar() {
    fetch("/chat/historial", {credentials: "same-origin"})
      .then(function (res) { return leer(res); })
      .then(function (mensajes) {
        if (mensajes && mensajes.length) {
          rehacer(mensajes);
        } else {
          saludar();
        }
      }).catch(function () {
        avisar("No pude recuperar su conversación anterior. Puede escribir para continuar.",
          "error");
      }).finally(esperarMensajes);
  }

  // La caja crece con el texto (hasta unos seis renglones; después se desplaza).
  function ajustarAltura() {
    entrada.style.height = "auto";
    entrada.style.height = Math.min(entrada.scrollHeight + 2, 160) + "px";
  }

  // Con el teclado del teléfono abierto, la página ocupa solo lo que queda visible.
  function ajustarVista() {
    var vista = window.visualViewport;
    if (!vista) { return; }
    var teclado = vista.height < window.innerHeight - 80;
    document.documentElement.classList.toggle("con-teclado", teclado);
    document.documentElement.style.setProperty("--alto-visible", teclado
      ? vista.height + "px" : "");
    if (alFondo) { alFinal(); }
  }

  formulario.addEventListener("submit", function (e) {
    e.preventDefault();
    var texto = entrada.value;
    if (!texto.trim()) { return; }
    entrada.value = "";
    ajustarAltura();
    enviar({texto: texto});
  });
  entrada.addEventListener("input", ajustarAltura);
  adjuntar.addEventListener("change", function () {
    if (adjuntar.files && adjuntar.files.length) { subir(adjuntar.files[0]); }
  });
  entrada.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      formulario.requestSubmit();
    }
  });
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", ajustarVista);
  }
  // «Cerrar sesión»: el servidor borra la cookie y la página empieza una conversación nueva
  // (la siguiente persona en esta computadora no ve la anterior).
  botonSalir.addEventListener("click", function () {
    botonSalir.disabled = true;
    pedir("/chat/salir", {}).then(function () {
      conversacion.textContent = "";
      avisar("Sesión cerrada: esta computadora ya no muestra la conversación anterior.");
      saludar();
    }).catch(function () {
      avisar("No pude cerrar la sesión. Intente de nuevo.", "error");
    }).finally(function () {
      botonSalir.disabled = false;
    });
  });
  empezar();
})();
