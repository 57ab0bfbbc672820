"""Protección de datos personales (LGPDPPSO 2025): avisos, consentimiento, derechos ARCO
en el chat («mis datos», «borrar mis datos»), retención y bitácora sin datos personales.

Piezas: `aviso.aviso`, `consentimiento.registrar_consentimiento` y `tiene_consentimiento`,
`rutas.conectar(motor)`, `retencion.aplicar_retencion` y `tarea_retencion_diaria`,
`bitacora.FiltroDatosPersonales`, `cli.privacidad_app`. (El paquete no importa nada al
cargarse, para que la bitácora pueda usar el filtro sin arrastrar el motor.)
"""
