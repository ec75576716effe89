/**
 * Microsoft-shipped Extended Stored Procedure DLLs and the procedures they register, as DATA
 * (the classifier never names a DLL or procedure in code). Compiled from Microsoft's
 * documentation of the system extended stored procedures and public `sp_helpextendedproc`
 * listings (unverified against a live SQL Server here: no instance is available). A procedure exported by an ESP DLL that is not in
 * this table is a suspicion reason; extend the table (or pass your own) for other builds.
 */
export interface KnownEspDll {
  /** Lower-case file name. */
  dll: string;
  procedures: string[];
}

export interface KnownEspData {
  dlls: KnownEspDll[];
  /** Exports every ESP DLL may have that are not procedures (compared case-insensitively). */
  nonProcedureExports: string[];
  /** Version-resource CompanyName values that mean Microsoft (case-insensitive, exact). */
  microsoftCompanies: string[];
}

export const KNOWN_ESPS: KnownEspData = {
  dlls: [
    {
      dll: 'xpstar.dll',
      procedures: [
        'xp_availablemedia',
        'xp_create_subdir',
        'xp_delete_file',
        'xp_dirtree',
        'xp_enum_oledb_providers',
        'xp_enumerrorlogs',
        'xp_fileexist',
        'xp_fixeddrives',
        'xp_get_tape_devices',
        'xp_getnetname',
        'xp_instance_regaddmultistring',
        'xp_instance_regdeletekey',
        'xp_instance_regdeletevalue',
        'xp_instance_regenumkeys',
        'xp_instance_regenumvalues',
        'xp_instance_regread',
        'xp_instance_regremovemultistring',
        'xp_instance_regwrite',
        'xp_msver',
        'xp_msx_enlist',
        'xp_passAgentInfo',
        'xp_prop_oledb_provider',
        'xp_readerrorlog',
        'xp_regaddmultistring',
        'xp_regdeletekey',
        'xp_regdeletevalue',
        'xp_regenumkeys',
        'xp_regenumvalues',
        'xp_regread',
        'xp_regremovemultistring',
        'xp_regwrite',
        'xp_servicecontrol',
        'xp_sqlagent_enum_jobs',
        'xp_sqlagent_is_starting',
        'xp_sqlagent_monitor',
        'xp_sqlagent_notify',
        'xp_sqlagent_param',
        'xp_sqlmaint',
        'xp_subdirs',
        'xp_sysmail_activate',
        'xp_sysmail_attachment_load',
        'xp_sysmail_format_query',
        'xp_get_mapi_default_profile',
        'xp_get_mapi_profiles',
        'xp_sprintf',
        'xp_sscanf',
        'xp_ntsec_enumdomains',
        'xp_adsirequest',
        'xp_MSADEnabled',
        'xp_MSADSIReg',
        'xp_MSLocalSystem',
        'xp_MSplatform',
        'xp_MSver',
        'xp_SetSQLSecurity',
        'xp_mapdown_bitmap',
        'xp_enumdsn',
        'xp_cleanupwebtask',
        'xp_convertwebtask',
        'xp_dropwebtask',
        'xp_readwebtask',
        'xp_runwebtask',
        'xp_updatecolvbm',
        'xp_qv',
      ],
    },
    {
      dll: 'xplog70.dll',
      procedures: ['xp_cmdshell', 'xp_enumgroups', 'xp_logevent', 'xp_loginconfig', 'xp_msver', 'xp_sprintf', 'xp_sscanf', 'xp_grantlogin', 'xp_revokelogin', 'xp_logininfo'],
    },
    { dll: 'xpsqlbot.dll', procedures: ['xp_qv'] },
    {
      dll: 'odsole70.dll',
      procedures: ['sp_OACreate', 'sp_OADestroy', 'sp_OAGetErrorInfo', 'sp_OAGetProperty', 'sp_OAMethod', 'sp_OASetProperty', 'sp_OAStop'],
    },
    {
      dll: 'xprepl.dll',
      procedures: ['xp_repl_convert_encrypt', 'xp_repl_convert_encrypt_sysadmin_wrapper', 'xp_repl_encrypt', 'xp_replposteor', 'xp_repl_help_connect'],
    },
    { dll: 'xpadsi.dll', procedures: ['xp_adsirequest', 'xp_ADsI'] },
    { dll: 'xpweb70.dll', procedures: ['xp_cleanupwebtask', 'xp_convertwebtask', 'xp_dropwebtask', 'xp_enumcodepages', 'xp_makewebtask', 'xp_readwebtask', 'xp_runwebtask'] },
    { dll: 'xpstar90.dll', procedures: [] },
    { dll: 'sqlmaint.dll', procedures: ['xp_sqlmaint'] },
    { dll: 'xpsmtp.dll', procedures: ['xp_smtp_sendmail'] },
  ],
  nonProcedureExports: ['__GetXpVersion', 'DllMain', 'DllRegisterServer', 'DllUnregisterServer', 'DllCanUnloadNow', 'DllGetClassObject', 'DllInstall'],
  microsoftCompanies: ['Microsoft Corporation'],
};
